// Test helper: a minimal RFC 4180 reader, independent of the writers. Returns
// records of fields, each with whether it was quoted (to tell NULL from '').
#pragma once

#include <string>
#include <vector>

namespace ktel::testing {

struct CsvField {
  std::string text;
  bool quoted = false;
};

inline std::vector<std::vector<CsvField>> parse_csv(const std::string& s) {
  std::vector<std::vector<CsvField>> records(1, std::vector<CsvField>(1));
  size_t i = 0;
  while (i < s.size()) {
    CsvField& f = records.back().back();
    char c = s[i];
    if (c == '"' && f.text.empty() && !f.quoted) {
      f.quoted = true;
      for (++i; i < s.size(); ++i) {
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') {
          f.text += '"';
          ++i;
        } else if (s[i] == '"') {
          ++i;
          break;
        } else {
          f.text += s[i];
        }
      }
    } else if (c == ',') {
      records.back().emplace_back();
      ++i;
    } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      records.emplace_back(1);
      i += 2;
    } else {
      f.text += c;
      ++i;
    }
  }
  if (records.back().size() == 1 && records.back()[0].text.empty() && !records.back()[0].quoted) {
    records.pop_back();
  }
  return records;
}

}  // namespace ktel::testing
