// SPDX-License-Identifier: Apache-2.0
// The line reader: line ends (LF, CRLF, lone CR, across read boundaries), bytes passed through,
// the line cap, and reading from files, pipes and bad paths.
#include "tfgpu/explain/line_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "temp_tree.h"

namespace tfgpu::explain {
namespace {

struct Got {
  std::uint64_t number;
  std::string text;
  bool truncated;
  bool operator==(const Got&) const = default;
};

void PrintTo(const Got& got, std::ostream* out) {
  *out << got.number << ":\"" << got.text << "\"" << (got.truncated ? " (truncated)" : "");
}

std::vector<Got> lines_of(std::string_view text,
                          std::size_t max_line_bytes = kDefaultMaxLineBytes) {
  std::vector<Got> got;
  for_each_line(
      text,
      [&](const LineView& line) {
        got.push_back(Got{line.number, std::string(line.text), line.truncated()});
      },
      LineReaderOptions{max_line_bytes});
  return got;
}

// The same text fed in pieces of `piece` bytes: line ends split across feeds must not matter.
std::vector<Got> lines_fed_in_pieces(std::string_view text, std::size_t piece,
                                     std::size_t max_line_bytes = kDefaultMaxLineBytes) {
  std::vector<Got> got;
  LineSplitter splitter(
      [&](const LineView& line) {
        got.push_back(Got{line.number, std::string(line.text), line.truncated()});
      },
      LineReaderOptions{max_line_bytes});
  for (std::size_t at = 0; at < text.size(); at += piece) {
    splitter.feed(text.substr(at, piece));
  }
  splitter.finish();
  return got;
}

TEST(LineReader, SplitsAtLfCrlfAndLoneCr) {
  const std::vector<Got> expected = {
      {1, "a", false}, {2, "b", false}, {3, "c", false}, {4, "", false}, {5, "d", false}};
  EXPECT_EQ(lines_of("a\nb\r\nc\r\rd"), expected);
  EXPECT_EQ(lines_of("a\nb\r\nc\r\rd\n"), expected);
  EXPECT_EQ(lines_of("a\nb\r\nc\r\rd\r\n"), expected);
}

TEST(LineReader, LastLineWithoutTerminatorIsKept) {
  EXPECT_EQ(lines_of("x\ny"), (std::vector<Got>{{1, "x", false}, {2, "y", false}}));
}

TEST(LineReader, EmptyInputHasNoLines) {
  EXPECT_TRUE(lines_of("").empty());
  EXPECT_EQ(lines_of("\n"), (std::vector<Got>{{1, "", false}}));
}

TEST(LineReader, ProgressBarCarriageReturnsAreLineEnds) {
  // Keras/tqdm redraw a line with CR; each redraw is its own line.
  const auto got = lines_of("1/3 [==>...]\r2/3 [====>.]\r3/3 [======]\nloss: 0.1\n");
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[2].text, "3/3 [======]");
  EXPECT_EQ(got[3], (Got{4, "loss: 0.1", false}));
}

TEST(LineReader, NulAndInvalidUtf8PassThroughAsBytes) {
  const std::string text("a\0b\n\xff\xfe\xc3(\n", 9);
  const auto got = lines_of(text);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].text, std::string("a\0b", 3));
  EXPECT_EQ(got[1].text, "\xff\xfe\xc3(");
}

TEST(LineReader, PiecesOfAnySizeGiveTheSameLines) {
  const std::string text = "first\r\nsecond\rthird\n\r\nfourth line, longer\r\r\nlast";
  const auto whole = lines_of(text);
  ASSERT_EQ(whole.size(), 7u);
  for (std::size_t piece = 1; piece <= text.size(); ++piece) {
    EXPECT_EQ(lines_fed_in_pieces(text, piece), whole) << "pieces of " << piece;
  }
}

TEST(LineReader, CrlfSplitAcrossFeedsIsOneLineEnd) {
  std::vector<Got> got;
  LineSplitter splitter([&](const LineView& line) {
    got.push_back(Got{line.number, std::string(line.text), line.truncated()});
  });
  splitter.feed("a\r");
  splitter.feed("\nb\r");
  splitter.feed("c");
  splitter.finish();
  EXPECT_EQ(got, (std::vector<Got>{{1, "a", false}, {2, "b", false}, {3, "c", false}}));
}

TEST(LineReader, LongLineIsCutAtTheCapAndItsRestSkipped) {
  const std::string text = "short\n" + std::string(25, 'x') + "\nafter\n";
  const std::vector<Got> expected = {
      {1, "short", false}, {2, std::string(10, 'x'), true}, {3, "after", false}};
  EXPECT_EQ(lines_of(text, 10), expected);
  for (std::size_t piece = 1; piece <= text.size(); ++piece) {
    EXPECT_EQ(lines_fed_in_pieces(text, piece, 10), expected) << "pieces of " << piece;
  }
}

TEST(LineReader, LineExactlyAtTheCapIsWhole) {
  const std::string text = std::string(10, 'y') + "\n" + std::string(11, 'z');
  const std::vector<Got> expected = {{1, std::string(10, 'y'), false},
                                     {2, std::string(10, 'z'), true}};
  for (std::size_t piece = 1; piece <= text.size(); ++piece) {
    EXPECT_EQ(lines_fed_in_pieces(text, piece, 10), expected) << "pieces of " << piece;
  }
}

TEST(LineReader, CutLineEndingInCrlfAcrossFeeds) {
  // The rest of a cut line ends at its CR; the LF after it (next feed) is the same line end.
  const std::string text = std::string(20, 'q') + "\r\nnext";
  const std::vector<Got> expected = {{1, std::string(5, 'q'), true}, {2, "next", false}};
  for (std::size_t piece = 1; piece <= text.size(); ++piece) {
    EXPECT_EQ(lines_fed_in_pieces(text, piece, 5), expected) << "pieces of " << piece;
  }
}

TEST(LineReader, TenMegabyteLineIsCutAtTheDefaultCap) {
  const std::string text = "before\n" + std::string(10u << 20, 'm') + "\nafter";
  const auto got = lines_fed_in_pieces(text, kReadBufferBytes);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].text.size(), kDefaultMaxLineBytes);
  EXPECT_TRUE(got[1].truncated);
  EXPECT_EQ(got[2], (Got{3, "after", false}));
}

TEST(LineReader, CountsLinesTruncationsAndBytes) {
  LineSplitter splitter([](const LineView&) {}, LineReaderOptions{4});
  splitter.feed("abcdefg\nab\n");
  splitter.finish();
  EXPECT_EQ(splitter.lines(), 2u);
  EXPECT_EQ(splitter.truncated_lines(), 1u);
  EXPECT_EQ(splitter.bytes(), 11u);
}

TEST(LineReader, ReadsAFile) {
  TempTree tree;
  tree.write("/log.txt", "one\r\ntwo\n");
  std::vector<std::string> got;
  const auto count =
      read_lines(tree.host("/log.txt"), [&](const LineView& line) { got.emplace_back(line.text); });
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(*count, 2u);
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two"}));
}

TEST(LineReader, ReadsAPipeAcrossManyWrites) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  // More than one read buffer, written in odd-sized pieces so line ends straddle reads.
  std::string expected_text;
  for (int i = 0; i < 40000; ++i) {
    expected_text += "line " + std::to_string(i) + (i % 3 == 0 ? "\r\n" : "\n");
  }
  std::thread writer([&] {
    for (std::size_t at = 0; at < expected_text.size(); at += 4093) {
      const std::string_view piece = std::string_view(expected_text).substr(at, 4093);
      ASSERT_EQ(::write(fds[1], piece.data(), piece.size()), static_cast<ssize_t>(piece.size()));
    }
    ::close(fds[1]);
  });
  std::uint64_t count = 0;
  bool in_order = true;
  LineSplitter splitter([&](const LineView& line) {
    in_order = in_order && line.text == "line " + std::to_string(count);
    ++count;
  });
  const auto result = read_lines(fds[0], "pipe", splitter);
  writer.join();
  ::close(fds[0]);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(count, 40000u);
  EXPECT_TRUE(in_order);
  EXPECT_EQ(splitter.bytes(), expected_text.size());
}

TEST(LineReader, DirectoryIsAnErrorNamingIt) {
  TempTree tree;
  tree.mkdir("/logs");
  const auto result = read_lines(tree.host("/logs"), [](const LineView&) {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kInvalidArgument);
  EXPECT_NE(result.error().message.find(tree.host("/logs")), std::string::npos);
  EXPECT_NE(result.error().message.find("directory"), std::string::npos);
}

TEST(LineReader, MissingFileIsNotFoundNamingIt) {
  TempTree tree;
  const auto result = read_lines(tree.host("/nope.log"), [](const LineView&) {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kNotFound);
  EXPECT_NE(result.error().message.find(tree.host("/nope.log")), std::string::npos);
}

TEST(LineReader, UnreadableFileIsPermissionDenied) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "permission bits do not stop root";
  }
  TempTree tree;
  tree.write("/secret.log", "x\n");
  ::chmod(tree.host("/secret.log").c_str(), 0);
  const auto result = read_lines(tree.host("/secret.log"), [](const LineView&) {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kPermissionDenied);
  EXPECT_NE(result.error().message.find("secret.log"), std::string::npos);
}

TEST(LineReader, ReadErrorIsAnErrorNamingTheInput) {
  // A write-only descriptor: read() fails with EBADF.
  TempTree tree;
  tree.write("/out.log", "");
  const int fd = ::open(tree.host("/out.log").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  LineSplitter splitter([](const LineView&) {});
  const auto result = read_lines(fd, "out.log", splitter);
  ::close(fd);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Errc::kIo);
  EXPECT_NE(result.error().message.find("out.log"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::explain
