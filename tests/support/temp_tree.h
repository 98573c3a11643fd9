// SPDX-License-Identifier: Apache-2.0
#pragma once
// TempTree: a scratch directory for one test, removed at the end unless TFGPU_KEEP_TEMP is set.
// Tests build recorded-machine trees in it (files, symlinks, unreadable dirs).

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

class TempTree {
 public:
  TempTree() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tfgpu-test-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
  }

  ~TempTree() {
    if (::getenv("TFGPU_KEEP_TEMP") == nullptr) {
      std::error_code ignored;
      // Restore permissions a test removed so the tree can be deleted.
      for (auto it = std::filesystem::recursive_directory_iterator(
               root_, std::filesystem::directory_options::skip_permission_denied, ignored);
           it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
        if (it->is_directory(ignored) && !it->is_symlink(ignored)) {
          ::chmod(it->path().c_str(), 0755);
        }
      }
      std::filesystem::remove_all(root_, ignored);
    }
  }

  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::string& root() const { return root_; }

  // Host path of machine path `path`.
  std::string host(const std::string& path) const { return root_ + path; }

  void write(const std::string& path, const std::string& content) const {
    std::filesystem::create_directories(std::filesystem::path(host(path)).parent_path());
    std::ofstream(host(path), std::ios::binary) << content;
  }

  void mkdir(const std::string& path) const { std::filesystem::create_directories(host(path)); }

  void symlink(const std::string& target, const std::string& path) const {
    std::filesystem::create_directories(std::filesystem::path(host(path)).parent_path());
    std::filesystem::create_symlink(target, host(path));
  }

 private:
  std::string root_;
};
