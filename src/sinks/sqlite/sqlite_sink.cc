#include "sinks/sqlite/sqlite_sink.h"
