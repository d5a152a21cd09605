// Helpers shared by the unit tests: fixture paths, temporary folders, diagnostics as text.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/diagnostics.h"

namespace cloison::testing {

inline std::string data_path(const std::string& relative) {
  return std::string(CLOISON_TEST_DATA) + "/" + relative;
}

// The whole file; a test failure when it cannot be opened.
inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fixture file of tests/data, by its path below that folder.
inline std::string fixture_text(const std::string& relative) {
  return read_text(data_path(relative));
}

// A fresh folder under the test temp dir, removed at destruction.
class temp_dir {
 public:
  temp_dir() {
    path_ = std::filesystem::path(::testing::TempDir()) /
            ("cloison-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& content) const {
    const auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

// "line:col: message" for each diagnostic, sorted, without the file name.
inline std::vector<std::string> located(const diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& item : d.sorted()) {
    out.push_back(std::to_string(item.line) + ":" + std::to_string(item.column) + ": " +
                  item.message);
  }
  return out;
}

}  // namespace cloison::testing
