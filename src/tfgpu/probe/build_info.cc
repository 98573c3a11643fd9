// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/build_info.h"

#include <optional>
#include <utility>

#include <fmt/format.h>

#include "tfgpu/base/strings.h"

namespace tfgpu::probe {
namespace {

// ---------------------------------------------------------------------------------------------
// Tokenizer: a subset of Python's lexical grammar (docs.python.org/3/reference/lexical_analysis).
// Single pass, no backtracking; every index is checked against the end.

enum class TokenKind { kName, kString, kNumber, kOp, kNewline, kError, kEnd };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // kString: decoded; kOp: the character; others: as written
  std::size_t offset = 0;
};

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_identifier_char(char c) {
  return is_identifier_start(c) || is_digit(c);
}

// True for string prefixes (r, b, u, f and their two-letter combinations, any case).
bool is_string_prefix(std::string_view name, bool& raw) {
  if (name.empty() || name.size() > 2) {
    return false;
  }
  raw = false;
  for (char c : name) {
    const char lower = static_cast<char>(c | 0x20);
    if (lower == 'r') {
      raw = true;
    } else if (lower != 'b' && lower != 'u' && lower != 'f') {
      return false;
    }
  }
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      Token token = next();
      const bool end = token.kind == TokenKind::kEnd;
      tokens.push_back(std::move(token));
      if (end) {
        return tokens;
      }
    }
  }

 private:
  char at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

  Token next() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\f') {
        ++pos_;
      } else if (c == '\\' && (at(pos_ + 1) == '\n' || at(pos_ + 1) == '\r')) {
        pos_ += 2;  // explicit line joining
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') {
          ++pos_;
        }
      } else {
        break;
      }
    }
    Token token;
    token.offset = pos_;
    if (pos_ >= text_.size()) {
      return token;
    }
    const char c = text_[pos_];
    if (c == '\n' || c == '\r') {
      ++pos_;
      token.kind = TokenKind::kNewline;
      return token;
    }
    if (is_identifier_start(c)) {
      const std::size_t start = pos_;
      while (pos_ < text_.size() && is_identifier_char(text_[pos_])) {
        ++pos_;
      }
      std::string_view name = text_.substr(start, pos_ - start);
      bool raw = false;
      if ((at(pos_) == '\'' || at(pos_) == '"') && is_string_prefix(name, raw)) {
        return string_token(start, raw);
      }
      token.kind = TokenKind::kName;
      token.text = std::string(name);
      return token;
    }
    if (is_digit(c) || (c == '.' && is_digit(at(pos_ + 1)))) {
      const std::size_t start = pos_;
      const bool hex = c == '0' && (at(pos_ + 1) == 'x' || at(pos_ + 1) == 'X');
      while (pos_ < text_.size()) {
        const char d = text_[pos_];
        const char previous = text_[pos_ - (pos_ > start ? 1 : 0)];
        const bool exponent_sign =
            (d == '+' || d == '-') && !hex && pos_ > start && (previous == 'e' || previous == 'E');
        if (is_identifier_char(d) || d == '.' || exponent_sign) {
          ++pos_;
        } else {
          break;
        }
      }
      token.kind = TokenKind::kNumber;
      token.text = std::string(text_.substr(start, pos_ - start));
      return token;
    }
    if (c == '\'' || c == '"') {
      return string_token(pos_, false);
    }
    ++pos_;
    token.kind = TokenKind::kOp;
    token.text = std::string(1, c);
    return token;
  }

  // A string literal whose prefix (if any) starts at `start`; pos_ is at the opening quote.
  Token string_token(std::size_t start, bool raw) {
    Token token;
    token.offset = start;
    const char quote = text_[pos_];
    const bool triple = at(pos_ + 1) == quote && at(pos_ + 2) == quote;
    pos_ += triple ? 3 : 1;
    std::string value;
    while (true) {
      if (pos_ >= text_.size()) {
        token.kind = TokenKind::kError;  // unterminated
        return token;
      }
      const char c = text_[pos_];
      if (c == quote && (!triple || (at(pos_ + 1) == quote && at(pos_ + 2) == quote))) {
        pos_ += triple ? 3 : 1;
        break;
      }
      if (!triple && (c == '\n' || c == '\r')) {
        token.kind = TokenKind::kError;  // a single-quoted string cannot span lines
        return token;
      }
      if (c == '\\' && pos_ + 1 < text_.size()) {
        const char e = text_[pos_ + 1];
        pos_ += 2;
        if (raw) {
          value.push_back('\\');
          value.push_back(e);
          continue;
        }
        switch (e) {
          case 'n':
            value.push_back('\n');
            break;
          case 't':
            value.push_back('\t');
            break;
          case 'r':
            value.push_back('\r');
            break;
          case '0':
            value.push_back('\0');
            break;
          case '\n':
            break;  // escaped newline: line continuation inside the string
          case '\\':
          case '\'':
          case '"':
            value.push_back(e);
            break;
          default:  // \x41, \u00e9 and unknown escapes are kept as written
            value.push_back('\\');
            value.push_back(e);
        }
        continue;
      }
      value.push_back(c);
      ++pos_;
    }
    token.kind = TokenKind::kString;
    token.text = std::move(value);
    return token;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Parser: module := { statement }, statement := dotted_name '=' value NEWLINE | anything NEWLINE.

PyValue opaque() {
  return PyValue{};
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  std::map<std::string, PyValue> parse_module() {
    std::map<std::string, PyValue> assignments;
    while (true) {
      while (kind() == TokenKind::kNewline || is_op(";")) {
        ++pos_;
      }
      if (kind() == TokenKind::kEnd) {
        return assignments;
      }
      const std::size_t statement_start = pos_;
      if (auto assignment = parse_assignment()) {
        assignments[std::move(assignment->first)] = std::move(assignment->second);
      } else {
        pos_ = statement_start;  // rescan so brackets opened by the failed statement balance
      }
      skip_statement();
    }
  }

 private:
  // Token `pos_`, skipping newlines while inside brackets (implicit line joining).
  const Token& peek() {
    while (open_brackets_ > 0 && tokens_[pos_].kind == TokenKind::kNewline) {
      ++pos_;
    }
    return tokens_[pos_];
  }

  TokenKind kind() { return peek().kind; }

  bool is_op(std::string_view op) {
    const Token& token = peek();
    return token.kind == TokenKind::kOp && token.text == op;
  }

  void advance() {
    if (tokens_[pos_].kind != TokenKind::kEnd) {
      ++pos_;
    }
  }

  // Skip to the end of the statement (a newline or ';' outside brackets) without recursion.
  void skip_statement() {
    open_brackets_ = 0;
    std::size_t depth = 0;
    while (tokens_[pos_].kind != TokenKind::kEnd) {
      const Token& token = tokens_[pos_];
      if (depth == 0 && (token.kind == TokenKind::kNewline ||
                         (token.kind == TokenKind::kOp && token.text == ";"))) {
        return;
      }
      if (token.kind == TokenKind::kOp) {
        const char c = token.text[0];
        if (c == '(' || c == '[' || c == '{') {
          ++depth;
        } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
          --depth;
        }
      }
      ++pos_;
    }
  }

  std::optional<std::pair<std::string, PyValue>> parse_assignment() {
    if (kind() != TokenKind::kName) {
      return std::nullopt;
    }
    std::string target = peek().text;
    advance();
    while (is_op(".")) {
      advance();
      if (kind() != TokenKind::kName) {
        return std::nullopt;
      }
      target += "." + peek().text;
      advance();
    }
    // '=' but not '==' (the lexer emits one token per operator character).
    if (!is_op("=") || tokens_[pos_ + 1].kind == TokenKind::kEnd ||
        (tokens_[pos_ + 1].kind == TokenKind::kOp && tokens_[pos_ + 1].text == "=" &&
         tokens_[pos_ + 1].offset == tokens_[pos_].offset + 1)) {
      return std::nullopt;
    }
    advance();
    auto value = parse_value(0);
    if (!value) {
      return std::nullopt;
    }
    if (kind() != TokenKind::kNewline && kind() != TokenKind::kEnd && !is_op(";")) {
      return std::nullopt;  // `a = 1 2` or a chained assignment: not a plain literal
    }
    return std::make_pair(std::move(target), std::move(*value));
  }

  // value := primary { postfix } [ operator tail ]
  std::optional<PyValue> parse_value(std::size_t depth) {
    if (depth > kMaxLiteralDepth) {
      return std::nullopt;
    }
    auto value = parse_primary(depth);
    if (!value) {
      return std::nullopt;
    }
    // Attribute access, calls and subscripts on a literal ('x'.format(y)) make it opaque.
    while (is_op(".") || is_op("(") || is_op("[")) {
      if (is_op(".")) {
        advance();
        if (kind() != TokenKind::kName) {
          return std::nullopt;
        }
        advance();
      } else if (!skip_bracketed()) {
        return std::nullopt;
      }
      *value = opaque();
    }
    // Any operator tail (`a + b`, `x if c else y`, `not a`) makes the whole value opaque.
    if (!at_value_end()) {
      if (!skip_to_value_end()) {
        return std::nullopt;
      }
      *value = opaque();
    }
    return value;
  }

  bool at_value_end() {
    const Token& token = peek();
    if (token.kind == TokenKind::kNewline || token.kind == TokenKind::kEnd) {
      return true;
    }
    return token.kind == TokenKind::kOp &&
           (token.text == "," || token.text == ":" || token.text == ")" || token.text == "]" ||
            token.text == "}" || token.text == ";" || token.text == "=");
  }

  // Consume tokens up to the end of the current value, skipping balanced brackets.
  bool skip_to_value_end() {
    while (!at_value_end()) {
      if (kind() == TokenKind::kError) {
        return false;
      }
      if (is_op("(") || is_op("[") || is_op("{")) {
        if (!skip_bracketed()) {
          return false;
        }
      } else {
        advance();
      }
    }
    return true;
  }

  // At an opening bracket: consume through its matching close, iteratively.
  bool skip_bracketed() {
    std::vector<char> expected;
    do {
      const Token& token = peek();
      if (token.kind == TokenKind::kEnd || token.kind == TokenKind::kError) {
        return false;
      }
      if (token.kind == TokenKind::kOp) {
        const char c = token.text[0];
        if (c == '(' || c == '[' || c == '{') {
          expected.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
          ++open_brackets_;
        } else if (c == ')' || c == ']' || c == '}') {
          if (expected.empty() || expected.back() != c) {
            return false;
          }
          expected.pop_back();
          --open_brackets_;
        }
      }
      advance();
    } while (!expected.empty());
    return true;
  }

  bool open(std::string_view op) {
    if (!is_op(op)) {
      return false;
    }
    advance();
    ++open_brackets_;
    return true;
  }

  bool close(std::string_view op) {
    if (!is_op(op)) {
      return false;
    }
    --open_brackets_;
    advance();
    return true;
  }

  // Comma-separated values up to `closer`, which is consumed; a trailing comma is allowed.
  // `saw_comma` tells a one-element tuple from a parenthesised value.
  std::optional<std::vector<PyValue>> parse_sequence(std::string_view closer, std::size_t depth,
                                                     bool& saw_comma) {
    std::vector<PyValue> items;
    saw_comma = false;
    while (!close(closer)) {
      auto item = parse_value(depth + 1);
      if (!item) {
        return std::nullopt;
      }
      items.push_back(std::move(*item));
      if (is_op(",")) {
        saw_comma = true;
        advance();
      } else if (!is_op(closer)) {
        return std::nullopt;
      }
    }
    return items;
  }

  std::optional<PyValue> parse_primary(std::size_t depth) {
    const Token& token = peek();
    PyValue value;
    switch (token.kind) {
      case TokenKind::kString:
        value.kind = PyValue::Kind::kString;
        while (kind() == TokenKind::kString) {  // implicit concatenation: 'a' 'b'
          value.text += peek().text;
          advance();
        }
        return value;
      case TokenKind::kNumber:
        value.kind = PyValue::Kind::kNumber;
        value.text = token.text;
        advance();
        return value;
      case TokenKind::kName:
        return parse_name(depth);
      case TokenKind::kOp:
        break;
      default:
        return std::nullopt;
    }
    if (token.text == "-" || token.text == "+") {
      const std::string sign = token.text == "-" ? "-" : "";
      advance();
      if (kind() != TokenKind::kNumber) {
        return std::nullopt;
      }
      value.kind = PyValue::Kind::kNumber;
      value.text = sign + peek().text;
      advance();
      return value;
    }
    bool saw_comma = false;
    if (open("[")) {
      auto items = parse_sequence("]", depth, saw_comma);
      if (!items) {
        return std::nullopt;
      }
      value.kind = PyValue::Kind::kList;
      value.items = std::move(*items);
      return value;
    }
    if (open("(")) {
      auto items = parse_sequence(")", depth, saw_comma);
      if (!items) {
        return std::nullopt;
      }
      if (items->size() == 1 && !saw_comma) {
        return std::move(items->front());
      }
      value.kind = PyValue::Kind::kTuple;
      value.items = std::move(*items);
      return value;
    }
    if (open("{")) {
      return parse_braces(depth);
    }
    return std::nullopt;
  }

  // After '{': a dict {k: v, ...} or a set {a, b} (kept as a list).
  std::optional<PyValue> parse_braces(std::size_t depth) {
    PyValue value;
    value.kind = PyValue::Kind::kDict;
    bool is_set = false;
    while (!close("}")) {
      auto key = parse_value(depth + 1);
      if (!key) {
        return std::nullopt;
      }
      if (is_op(":") && !is_set) {
        advance();
        auto item = parse_value(depth + 1);
        if (!item) {
          return std::nullopt;
        }
        value.keys.push_back(std::move(*key));
        value.items.push_back(std::move(*item));
      } else if (value.keys.empty()) {
        is_set = true;
        value.kind = PyValue::Kind::kList;
        value.items.push_back(std::move(*key));
      } else {
        return std::nullopt;
      }
      if (is_op(",")) {
        advance();
      } else if (!is_op("}")) {
        return std::nullopt;
      }
    }
    return value;
  }

  // A name: True/False/None, a call such as collections.OrderedDict([...]) or dict(a=1), or a
  // reference to another variable (opaque).
  std::optional<PyValue> parse_name(std::size_t depth) {
    PyValue value;
    std::string name = peek().text;
    advance();
    if (name == "True" || name == "False") {
      value.kind = PyValue::Kind::kBool;
      value.boolean = name == "True";
      return value;
    }
    if (name == "None") {
      value.kind = PyValue::Kind::kNone;
      return value;
    }
    while (is_op(".")) {
      advance();
      if (kind() != TokenKind::kName) {
        return std::nullopt;
      }
      name = peek().text;  // the last component decides: collections.OrderedDict -> OrderedDict
      advance();
    }
    if (!(is_op("(") && (name == "OrderedDict" || name == "dict"))) {
      return value;  // opaque; parse_value consumes any call that follows
    }
    open("(");
    value.kind = PyValue::Kind::kDict;
    while (!close(")")) {
      // keyword argument: name=value
      if (kind() == TokenKind::kName && tokens_[pos_ + 1].kind == TokenKind::kOp &&
          tokens_[pos_ + 1].text == "=") {
        PyValue key;
        key.kind = PyValue::Kind::kString;
        key.text = peek().text;
        advance();
        advance();
        auto item = parse_value(depth + 1);
        if (!item) {
          return std::nullopt;
        }
        value.keys.push_back(std::move(key));
        value.items.push_back(std::move(*item));
      } else {
        auto argument = parse_value(depth + 1);
        if (!argument) {
          return std::nullopt;
        }
        if (!add_pairs(*argument, value)) {
          value.kind = PyValue::Kind::kOpaque;
        }
      }
      if (is_op(",")) {
        advance();
      } else if (!is_op(")")) {
        return std::nullopt;
      }
    }
    if (value.kind == PyValue::Kind::kOpaque) {
      value.keys.clear();
      value.items.clear();
    }
    return value;
  }

  // Add the entries of `argument` (a dict, or a list/tuple of 2-element tuples/lists) to `dict`.
  static bool add_pairs(PyValue& argument, PyValue& dict) {
    if (argument.kind == PyValue::Kind::kDict) {
      for (std::size_t i = 0; i < argument.keys.size(); ++i) {
        dict.keys.push_back(std::move(argument.keys[i]));
        dict.items.push_back(std::move(argument.items[i]));
      }
      return true;
    }
    if (argument.kind != PyValue::Kind::kList && argument.kind != PyValue::Kind::kTuple) {
      return false;
    }
    for (PyValue& pair : argument.items) {
      if ((pair.kind != PyValue::Kind::kTuple && pair.kind != PyValue::Kind::kList) ||
          pair.items.size() != 2) {
        return false;
      }
      dict.keys.push_back(std::move(pair.items[0]));
      dict.items.push_back(std::move(pair.items[1]));
    }
    return true;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t open_brackets_ = 0;
};

// ---------------------------------------------------------------------------------------------
// From assignments to TensorflowBuildInfo.

struct Lookup {
  const PyValue* value = nullptr;
  std::string where;  // "build_info['cuda_version']" or "cuda_version_number"
};

class BuildInfoReader {
 public:
  BuildInfoReader(const std::map<std::string, PyValue>& assignments, std::string_view source)
      : assignments_(assignments), source_(source) {
    if (auto it = assignments.find("build_info");
        it != assignments.end() && it->second.kind == PyValue::Kind::kDict) {
      dict_ = &it->second;
    }
  }

  Lookup in_dict(std::string_view key) const {
    if (dict_ != nullptr) {
      if (const PyValue* value = dict_->find(key)) {
        return {value, fmt::format("build_info['{}']", key)};
      }
    }
    return {};
  }

  Lookup module_level(const std::string& name) const {
    if (auto it = assignments_.find(name); it != assignments_.end()) {
      return {&it->second, name};
    }
    return {};
  }

  std::string source_of(const Lookup& lookup) const {
    return fmt::format("{}: {}", source_, lookup.where);
  }

  model::Observed<bool> boolean(const std::string& key) const {
    Lookup lookup = in_dict(key);
    if (lookup.value == nullptr) {
      lookup = module_level(key);
    }
    if (lookup.value == nullptr) {
      return model::Observed<bool>::absent(std::string(source_));
    }
    const PyValue& value = *lookup.value;
    if (value.kind == PyValue::Kind::kBool) {
      return model::Observed<bool>::present(value.boolean, source_of(lookup));
    }
    // gen_build_info.py turns "true"/"false" into bools; tolerate hand-edited strings.
    if (value.kind == PyValue::Kind::kString) {
      const std::string lower = to_lower(trim(value.text));
      if (lower == "true" || lower == "1") {
        return model::Observed<bool>::present(true, source_of(lookup));
      }
      if (lower == "false" || lower == "0" || lower.empty()) {
        return model::Observed<bool>::present(false, source_of(lookup));
      }
    }
    return model::Observed<bool>::unknown(source_of(lookup), "not a boolean: " + describe(value));
  }

  // cuda_version / cudnn_version: the dict's plain value first, then the old module-level
  // *_version_number, then the dict's Windows DLL suffix form ("64_112" = 11.2, "64_8" = 8).
  model::Observed<Version> version(const std::string& dict_key,
                                   const std::string& module_name) const {
    const Lookup candidates[] = {in_dict(dict_key), module_level(module_name)};
    const Lookup* unparsed = nullptr;
    for (const Lookup& lookup : candidates) {
      if (lookup.value == nullptr) {
        continue;
      }
      const PyValue& value = *lookup.value;
      if (value.kind == PyValue::Kind::kNone ||
          (value.kind == PyValue::Kind::kString && trim(value.text).empty())) {
        continue;  // a CPU build writes no version, or an empty one
      }
      if (value.kind == PyValue::Kind::kString || value.kind == PyValue::Kind::kNumber) {
        const std::string_view text = trim(value.text);
        if (!text.starts_with("64_")) {
          if (auto parsed = Version::parse(text)) {
            return model::Observed<Version>::present(*parsed, source_of(lookup));
          }
        }
      }
      if (unparsed == nullptr) {
        unparsed = &lookup;
      }
    }
    for (const Lookup& lookup : candidates) {
      if (lookup.value != nullptr && lookup.value->kind == PyValue::Kind::kString) {
        if (auto parsed = from_dll_suffix(trim(lookup.value->text), dict_key == "cuda_version")) {
          return model::Observed<Version>::present(*parsed, source_of(lookup));
        }
      }
    }
    if (unparsed != nullptr) {
      return model::Observed<Version>::unknown(source_of(*unparsed),
                                               "not a version: " + describe(*unparsed->value));
    }
    return model::Observed<Version>::absent(std::string(source_));
  }

  model::Observed<std::vector<std::string>> capabilities() const {
    Lookup lookup = in_dict("cuda_compute_capabilities");
    if (lookup.value == nullptr) {
      lookup = module_level("cuda_compute_capabilities");
    }
    using Observed = model::Observed<std::vector<std::string>>;
    if (lookup.value == nullptr) {
      return Observed::absent(std::string(source_));
    }
    const PyValue& value = *lookup.value;
    std::vector<std::string> out;
    if (value.kind == PyValue::Kind::kString) {  // "3.5,7.0" (TF_CUDA_COMPUTE_CAPABILITIES)
      for (std::string_view part : split(value.text, ',')) {
        if (!trim(part).empty()) {
          out.push_back(normalize_capability(trim(part)));
        }
      }
      return Observed::present(std::move(out), source_of(lookup));
    }
    if (value.kind == PyValue::Kind::kList || value.kind == PyValue::Kind::kTuple) {
      for (const PyValue& item : value.items) {
        if (item.kind != PyValue::Kind::kString) {
          return Observed::unknown(source_of(lookup), "not a list of strings");
        }
        out.push_back(normalize_capability(trim(item.text)));
      }
      return Observed::present(std::move(out), source_of(lookup));
    }
    return Observed::unknown(source_of(lookup), "not a list of strings: " + describe(value));
  }

 private:
  // "64_112" -> 11.2, "64_110" -> 11.0, "64_8" -> 8 (cuDNN). The last digit of a CUDA suffix is
  // the minor version (cudart64_101.dll is CUDA 10.1); build_info.py on Windows, TF <= 2.4.
  static std::optional<Version> from_dll_suffix(std::string_view text, bool is_cuda) {
    if (!text.starts_with("64_")) {
      return std::nullopt;
    }
    std::string_view digits = text.substr(3);
    if (digits.empty() || digits.size() > 4) {
      return std::nullopt;
    }
    for (char c : digits) {
      if (!is_digit(c)) {
        return std::nullopt;
      }
    }
    if (!is_cuda) {
      return Version::parse(digits);
    }
    if (digits.size() < 2) {
      return std::nullopt;
    }
    return Version::parse(fmt::format("{}.{}", digits.substr(0, digits.size() - 1),
                                      digits.substr(digits.size() - 1)));
  }

  // "3.5" -> "sm_35"; "sm_60", "compute_90" unchanged.
  static std::string normalize_capability(std::string_view text) {
    const std::size_t dot = text.find('.');
    if (dot != std::string_view::npos && dot > 0 && dot + 1 < text.size()) {
      bool digits = true;
      for (std::size_t i = 0; i < text.size(); ++i) {
        digits = digits && (i == dot || is_digit(text[i]));
      }
      if (digits) {
        return fmt::format("sm_{}{}", text.substr(0, dot), text.substr(dot + 1));
      }
    }
    return std::string(text);
  }

  static std::string describe(const PyValue& value) {
    switch (value.kind) {
      case PyValue::Kind::kString:
        return "'" + printable(value.text, 60) + "'";
      case PyValue::Kind::kNumber:
        return printable(value.text, 60);
      case PyValue::Kind::kBool:
        return value.boolean ? "True" : "False";
      case PyValue::Kind::kNone:
        return "None";
      case PyValue::Kind::kList:
        return "a list";
      case PyValue::Kind::kTuple:
        return "a tuple";
      case PyValue::Kind::kDict:
        return "a dict";
      case PyValue::Kind::kOpaque:
        break;
    }
    return "an expression";
  }

  const std::map<std::string, PyValue>& assignments_;
  std::string_view source_;
  const PyValue* dict_ = nullptr;
};

}  // namespace

const PyValue* PyValue::find(std::string_view key) const {
  if (kind != Kind::kDict) {
    return nullptr;
  }
  for (std::size_t i = 0; i < keys.size() && i < items.size(); ++i) {
    if (keys[i].kind == Kind::kString && keys[i].text == key) {
      return &items[i];
    }
  }
  return nullptr;
}

std::map<std::string, PyValue> parse_python_assignments(std::string_view text) {
  return Parser(Lexer(text).run()).parse_module();
}

Result<model::TensorflowBuildInfo> parse_build_info(std::string_view text,
                                                    std::string_view source) {
  const auto assignments = parse_python_assignments(text);
  const bool has_dict = assignments.contains("build_info") &&
                        assignments.at("build_info").kind == PyValue::Kind::kDict;
  if (!has_dict && !assignments.contains("is_cuda_build") &&
      !assignments.contains("is_rocm_build") && !assignments.contains("cuda_version_number")) {
    return make_error(
        Errc::kMalformed,
        fmt::format("{}: no build_info dict or is_cuda_build assignment", printable(source)));
  }
  BuildInfoReader reader(assignments, source);
  model::TensorflowBuildInfo info;
  info.source = std::string(source);
  info.is_cuda_build = reader.boolean("is_cuda_build");
  info.is_rocm_build = reader.boolean("is_rocm_build");
  info.cuda_version = reader.version("cuda_version", "cuda_version_number");
  info.cudnn_version = reader.version("cudnn_version", "cudnn_version_number");
  info.cuda_compute_capabilities = reader.capabilities();
  return info;
}

}  // namespace tfgpu::probe
