// SPDX-License-Identifier: Apache-2.0
#include "tfgpu/probe/dist_metadata.h"

#include <gtest/gtest.h>

namespace tfgpu::probe {
namespace {

// Header block in the shape of TF 2.21.0's METADATA on the development machine (abridged).
constexpr const char* kTensorflowMetadata =
    "Metadata-Version: 2.4\n"
    "Name: tensorflow\n"
    "Version: 2.21.0\n"
    "Summary: TensorFlow is an open source machine learning framework for everyone.\n"
    "Classifier: Environment :: GPU :: NVIDIA CUDA :: 12\n"
    "Requires-Dist: absl-py>=1.0.0\n"
    "Requires-Dist: gast!=0.5.0,!=0.5.1,!=0.5.2,>=0.2.1\n"
    "Provides-Extra: and-cuda\n"
    "Requires-Dist: nvidia-cudnn-cu12<10.0,>=9.3.0.75; extra == \"and-cuda\"\n"
    "Requires-Dist: nvidia-cublas-cu12 (==12.5.3.2) ; extra == 'and-cuda'\n"
    "Provides-Extra: gcs-filesystem\n"
    "Requires-Dist: tensorflow-io-gcs-filesystem>=0.23.1; (sys_platform != \"win32\" and "
    "python_version < \"3.13\") and extra == \"gcs-filesystem\"\n"
    "\n"
    "Name: not-a-header-any-more\n"
    "Requires-Dist: body-text\n";

TEST(DistMetadataTest, ParsesTensorflowHeadersAndStopsAtBody) {
  auto metadata = parse_dist_metadata(kTensorflowMetadata, "METADATA");
  ASSERT_TRUE(metadata) << metadata.error().message;
  EXPECT_EQ(metadata->name, "tensorflow");
  EXPECT_EQ(metadata->version, "2.21.0");
  EXPECT_EQ(metadata->provides_extra, (std::vector<std::string>{"and-cuda", "gcs-filesystem"}));
  ASSERT_EQ(metadata->requires_dist.size(), 5u);  // the body's Requires-Dist is not a header
  EXPECT_EQ(metadata->requires_dist[0].name, "absl-py");
  EXPECT_EQ(metadata->requires_dist[0].specifier, ">=1.0.0");
  EXPECT_EQ(metadata->requires_dist[0].extra, "");
  EXPECT_EQ(metadata->requires_dist[2].name, "nvidia-cudnn-cu12");
  EXPECT_EQ(metadata->requires_dist[2].specifier, "<10.0,>=9.3.0.75");
  EXPECT_EQ(metadata->requires_dist[2].extra, "and-cuda");
  EXPECT_EQ(metadata->requires_dist[3].specifier, "==12.5.3.2");
  EXPECT_EQ(metadata->requires_dist[3].extra, "and-cuda");
  EXPECT_EQ(metadata->requires_dist[4].extra, "gcs-filesystem");
}

TEST(DistMetadataTest, FoldsContinuationLinesAndCrlf) {
  auto metadata = parse_dist_metadata(
      "Name: Nvidia_CUDNN.cu12\r\nVersion: 9.3.0.75\r\nLicense: first\r\n"
      "        second line\r\n",
      "METADATA");
  ASSERT_TRUE(metadata) << metadata.error().message;
  EXPECT_EQ(metadata->normalized_name, "nvidia-cudnn-cu12");
  EXPECT_EQ(metadata->version, "9.3.0.75");
}

TEST(DistMetadataTest, BrokenMetadataIsMalformedAndNamesTheFile) {
  for (const char* text : {"", "Version: 1.0\n", "Name: x\n", "garbage without colon\nName: x\n",
                           "  continuation first\n", ": empty key\n"}) {
    auto metadata = parse_dist_metadata(text, "/sp/x-1.0.dist-info/METADATA");
    ASSERT_FALSE(metadata) << text;
    EXPECT_EQ(metadata.error().code, Errc::kMalformed);
    EXPECT_NE(metadata.error().message.find("/sp/x-1.0.dist-info/METADATA"), std::string::npos);
  }
}

TEST(DistMetadataTest, ParsesRequirementForms) {
  auto with_extras = parse_requirement("jax[cuda12] >= 0.4 ; extra=='gpu'");
  ASSERT_TRUE(with_extras);
  EXPECT_EQ(with_extras->name, "jax");
  EXPECT_EQ(with_extras->specifier, ">=0.4");
  EXPECT_EQ(with_extras->extra, "gpu");
  auto bare = parse_requirement("packaging");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->specifier, "");
  EXPECT_EQ(bare->marker, "");
  // "extra" must be the marker variable, not part of another name.
  EXPECT_EQ(parse_requirement("a; myextra == \"x\"")->extra, "");
  EXPECT_FALSE(parse_requirement(">=1.0"));
  EXPECT_FALSE(parse_requirement(""));
}

TEST(DistMetadataTest, NormalizesNamesPerPep503) {
  EXPECT_EQ(normalize_project_name("Tensorflow_CPU"), "tensorflow-cpu");
  EXPECT_EQ(normalize_project_name("tf.-_nightly"), "tf-nightly");
  EXPECT_EQ(normalize_project_name("keras"), "keras");
}

TEST(DistMetadataTest, ParsesDistInfoDirectoryNames) {
  auto cudnn = parse_dist_info_name("nvidia_cudnn_cu12-9.3.0.75.dist-info");
  ASSERT_TRUE(cudnn);
  EXPECT_EQ(cudnn->name, "nvidia-cudnn-cu12");
  EXPECT_EQ(cudnn->version, "9.3.0.75");
  auto egg = parse_dist_info_name("tensorflow-2.3.0-py3.8.egg-info");
  ASSERT_TRUE(egg);
  EXPECT_EQ(egg->name, "tensorflow");
  EXPECT_EQ(egg->version, "2.3.0");
  EXPECT_FALSE(parse_dist_info_name("tensorflow"));
  EXPECT_FALSE(parse_dist_info_name("tensorflow.dist-info"));
  EXPECT_FALSE(parse_dist_info_name("-1.0.dist-info"));
  EXPECT_FALSE(parse_dist_info_name("x-.dist-info"));
}

}  // namespace
}  // namespace tfgpu::probe
