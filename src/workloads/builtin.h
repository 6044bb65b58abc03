// Built-in workloads: small programs compiled into ktel, run as
// `ktel __workload NAME [ARGS]` so `ktel record --workload NAME` records them
// like any command (their own process tree, their own exit code).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ktel {

struct BuiltinWorkload {
  std::string name;
  std::string description;
  std::function<int(const std::vector<std::string>& args)> run;  // returns exit code
};

const std::vector<BuiltinWorkload>& builtin_workloads();
const BuiltinWorkload* find_builtin_workload(const std::string& name);

}  // namespace ktel
