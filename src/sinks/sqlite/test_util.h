// Test helpers for the sqlite sink and reader tests: temporary directories and
// the skip-or-fail rule for tests that need root.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/testing/kernel_required.h"
#include "base/testing/temp_dir.h"

