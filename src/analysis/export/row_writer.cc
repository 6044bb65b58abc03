#include "analysis/export/row_writer.h"

#include <cmath>

#include "analysis/export/text_escape.h"

namespace ktel {

namespace {

constexpr size_t kFlushBytes = 64 * 1024;

class BufferedWriter : public RowWriter {
 protected:
  explicit BufferedWriter(Output& out) : out_(out) {}
  Status flush_if_big() { return buf_.size() >= kFlushBytes ? flush() : Status::ok(); }
  Status flush() {
    Status st = out_.write(buf_);
    buf_.clear();
    return st;
  }
  Output& out_;
  std::string buf_;
  std::vector<std::string> names_;
};

class CsvWriter final : public BufferedWriter {
 public:
  explicit CsvWriter(Output& out) : BufferedWriter(out) {}
  Status begin(const std::vector<ResultColumn>& columns) override {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) buf_ += ',';
      text::append_csv_field(buf_, columns[i].name);
    }
    buf_ += "\r\n";
    return flush_if_big();
  }
  Status row(const RowView& row) override {
    for (int c = 0; c < row.size(); ++c) {
      if (c > 0) buf_ += ',';
      Cell cell = row[c];
      switch (cell.type) {
        case CellType::kNull: break;
        case CellType::kInt64: buf_ += std::to_string(cell.i); break;
        case CellType::kDouble: buf_ += text::format_double(cell.d); break;
        default:
          if (cell.bytes.empty()) {
            buf_ += "\"\"";
          } else {
            text::append_csv_field(buf_, cell.bytes);
          }
      }
    }
    buf_ += "\r\n";
    ++rows_;
    return flush_if_big();
  }
  Status end() override { return flush(); }
};

class JsonWriter final : public BufferedWriter {
 public:
  JsonWriter(Output& out, bool lines, RowWriterOptions options)
      : BufferedWriter(out), lines_(lines), options_(std::move(options)) {}
  Status begin(const std::vector<ResultColumn>& columns) override {
    for (const auto& c : columns) {
      std::string key;
      text::append_json_string(key, c.name);
      names_.push_back(std::move(key));
    }
    for (const auto& [k, v] : options_.leading_fields) {
      text::append_json_string(prefix_, k);
      prefix_ += ':';
      text::append_json_string(prefix_, v);
      prefix_ += ',';
    }
    if (!lines_) buf_ += "[";
    return Status::ok();
  }
  Status row(const RowView& row) override {
    if (!lines_) buf_ += rows_ == 0 ? "\n" : ",\n";
    buf_ += '{';
    buf_ += prefix_;
    for (int c = 0; c < row.size(); ++c) {
      if (c > 0) buf_ += ',';
      buf_ += names_[static_cast<size_t>(c)];
      buf_ += ':';
      append_value(row[c]);
    }
    if (row.size() == 0 && !prefix_.empty()) buf_.pop_back();  // trailing comma
    buf_ += lines_ ? "}\n" : "}";
    ++rows_;
    return flush_if_big();
  }
  Status end() override {
    if (!lines_) buf_ += rows_ == 0 ? "]\n" : "\n]\n";
    return flush();
  }

 private:
  void append_value(const Cell& cell) {
    switch (cell.type) {
      case CellType::kNull: buf_ += "null"; break;
      case CellType::kInt64: buf_ += std::to_string(cell.i); break;
      case CellType::kDouble:
        buf_ += std::isfinite(cell.d) ? text::format_double(cell.d) : "null";
        break;
      default: text::append_json_string(buf_, cell.bytes);
    }
  }
  bool lines_;
  RowWriterOptions options_;
  std::string prefix_;
};

class TableWriter final : public BufferedWriter {
 public:
  TableWriter(Output& out, size_t sample) : BufferedWriter(out), sample_(sample) {}
  Status begin(const std::vector<ResultColumn>& columns) override {
    std::vector<Rendered> header;
    for (const auto& c : columns) header.push_back({text::terminal_safe(c.name), false});
    widths_.assign(columns.size(), 0);
    pending_.push_back(std::move(header));
    return Status::ok();
  }
  Status row(const RowView& row) override {
    std::vector<Rendered> cells;
    cells.reserve(static_cast<size_t>(row.size()));
    for (int c = 0; c < row.size(); ++c) cells.push_back(render(row[c]));
    ++rows_;
    if (!sized_) {
      pending_.push_back(std::move(cells));
      if (pending_.size() > sample_) return emit_pending();
      return Status::ok();
    }
    append_line(cells);
    return flush_if_big();
  }
  Status end() override {
    if (!sized_) KTEL_TRY(emit_pending());
    buf_ += "(" + std::to_string(rows_) + (rows_ == 1 ? " row)\n" : " rows)\n");
    return flush();
  }

 private:
  struct Rendered {
    std::string text;
    bool right;  // numbers align right
  };
  static Rendered render(const Cell& cell) {
    switch (cell.type) {
      case CellType::kNull: return {"NULL", false};
      case CellType::kInt64: return {std::to_string(cell.i), true};
      case CellType::kDouble: return {text::format_double(cell.d), true};
      default: return {text::terminal_safe(cell.bytes), false};
    }
  }
  Status emit_pending() {
    for (const auto& line : pending_) {
      for (size_t c = 0; c < line.size() && c < widths_.size(); ++c) {
        widths_[c] = std::max(widths_[c], text::display_width(line[c].text));
      }
    }
    sized_ = true;
    for (size_t i = 0; i < pending_.size(); ++i) {
      append_line(pending_[i]);
      if (i == 0) {
        for (size_t c = 0; c < widths_.size(); ++c) {
          buf_ += (c > 0 ? "  " : "") + std::string(widths_[c], '-');
        }
        buf_ += '\n';
      }
    }
    pending_.clear();
    return flush();
  }
  void append_line(const std::vector<Rendered>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      size_t w = text::display_width(cells[c].text);
      size_t pad = c < widths_.size() && widths_[c] > w ? widths_[c] - w : 0;
      if (c > 0) buf_ += "  ";
      if (cells[c].right) buf_.append(pad, ' ');
      buf_ += cells[c].text;
      if (!cells[c].right && c + 1 < cells.size()) buf_.append(pad, ' ');
    }
    buf_ += '\n';
  }
  size_t sample_;
  bool sized_ = false;
  std::vector<size_t> widths_;
  std::vector<std::vector<Rendered>> pending_;  // header first
};

}  // namespace

Result<RowFormat> parse_row_format(std::string_view name) {
  if (name == "table") return RowFormat::kTable;
  if (name == "csv") return RowFormat::kCsv;
  if (name == "json") return RowFormat::kJson;
  if (name == "jsonl") return RowFormat::kJsonLines;
  return invalid_argument("unknown format '" + std::string(name) +
                          "'; use table, csv, json or jsonl");
}

std::string_view row_format_extension(RowFormat format) {
  switch (format) {
    case RowFormat::kTable: return "txt";
    case RowFormat::kCsv: return "csv";
    case RowFormat::kJson: return "json";
    case RowFormat::kJsonLines: return "jsonl";
  }
  return "txt";
}

std::unique_ptr<RowWriter> make_row_writer(RowFormat format, Output& out,
                                           RowWriterOptions options) {
  switch (format) {
    case RowFormat::kCsv: return std::make_unique<CsvWriter>(out);
    case RowFormat::kJson: return std::make_unique<JsonWriter>(out, false, std::move(options));
    case RowFormat::kJsonLines:
      return std::make_unique<JsonWriter>(out, true, std::move(options));
    case RowFormat::kTable: break;
  }
  return std::make_unique<TableWriter>(out, options.table_sample_rows);
}

Status write_query(const EpisodeDb& db, std::string_view sql, RowWriter& writer) {
  KTEL_TRY(db.query(
      sql, [&](const std::vector<ResultColumn>& cols) { return writer.begin(cols); },
      [&](const RowView& row) { return writer.row(row); }));
  return writer.end();
}

}  // namespace ktel
