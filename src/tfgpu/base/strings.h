// SPDX-License-Identifier: Apache-2.0
#pragma once
// Small string helpers shared by every parser. All take views and never throw.

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

namespace tfgpu {

// `text` without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view text);

// Split `text` at every `separator`; empty fields are kept.
std::vector<std::string_view> split(std::string_view text, char separator);

// Split into lines; a trailing "\r" is dropped from each (CRLF input).
std::vector<std::string_view> split_lines(std::string_view text);

// The views point into the argument: splitting a temporary string would leave them dangling
// (a range-for over split(f(), ':') does not extend f()'s lifetime before C++23).
template <class T>
requires std::same_as<T, std::string> std::vector<std::string_view> split(T&& text, char separator)
= delete;

template <class T>
requires std::same_as<T, std::string> std::vector<std::string_view> split_lines(T&& text)
= delete;

// `items` with `separator` between each two: join({"a", "b"}, ", ") is "a, b"; no items give "".
std::string join(const std::vector<std::string>& items, std::string_view separator);

// ASCII lower-case copy.
std::string to_lower(std::string_view text);

// Replace a leading `home` directory in `path` with "~" (for text and markdown output).
std::string tilde_home(std::string_view path, std::string_view home);

// `value` with a leading `home` replaced by "~" in each ':'-separated entry (PATH-like values).
std::string tilde_home_in_list(std::string_view value, std::string_view home);

// The text in a fixed-size C character buffer filled by a vendor call: up to the first NUL, and
// never past `size` when the vendor left it unterminated.
std::string from_c_buffer(const char* buffer, std::size_t size);

// `text` with every byte outside printable ASCII replaced by '?': for echoing hostile input.
std::string printable(std::string_view text, std::size_t max_length = 200);

// `text` as one POSIX shell word: unchanged when it holds only safe characters
// ([A-Za-z0-9_@%+=:,./~-], not starting with '~'), else in single quotes with each ' written '\''.
// Fix commands are pasted into a shell, and paths may hold spaces or quotes.
std::string shell_quote(std::string_view text);

// `text` in POSIX single quotes whatever it holds, each ' written '\'' (shell_quote's quoted form):
// for values that must always be quoted, such as an export's.
std::string single_quote(std::string_view text);

}  // namespace tfgpu
