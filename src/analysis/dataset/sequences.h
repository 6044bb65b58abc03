// `ktel dataset sequences DIR`: sliding windows of a built dataset for
// sequence models, as int32 .npy arrays per split, never crossing a trace
// boundary, with vocabularies fitted on train only
// (docs/formats/dataset-sequences.md).
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace ktel::dataset {

struct SequenceOptions {
  std::string dataset_dir;  // with train.csv, test_seen.csv, test_unseen.csv
  std::string out_dir;      // empty = <dataset_dir>/sequences
  uint64_t seq_len = 64;
  uint64_t stride = 1;
};

struct SplitWindows {
  uint64_t events = 0;
  uint64_t traces = 0;
  uint64_t traces_too_short = 0;  // fewer than seq_len + 1 events
  uint64_t windows = 0;
};

struct SequenceResult {
  SplitWindows splits[3];  // train, test_seen, test_unseen
  uint64_t vocab_task = 0, vocab_pid = 0, vocab_state = 0;  // with PAD and UNKNOWN
  std::string out_dir;
};

// Ids: 0 = PAD, 1 = UNKNOWN (a value train never had), then train's values
// by descending count, ties by value. Two passes per split (count, write).
Result<SequenceResult> build_sequences(const SequenceOptions& options);

}  // namespace ktel::dataset
