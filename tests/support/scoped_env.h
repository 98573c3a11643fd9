// SPDX-License-Identifier: Apache-2.0
#pragma once
// ScopedEnv: sets (or, with nullptr, unsets) an environment variable for one test and puts back
// what was there before, so a variable the test run itself was given (TFGPU_EXPECT_GPU,
// LD_LIBRARY_PATH …) survives. Children started meanwhile inherit the value.

#include <stdlib.h>

#include <optional>
#include <string>

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = ::getenv(name)) {
      old_ = old;
    }
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }

  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};
