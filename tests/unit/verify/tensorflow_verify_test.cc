// SPDX-License-Identifier: Apache-2.0
// verify through TensorFlow: the child's output split into the result and TensorFlow's log, and
// the child run with stand-in interpreters (a shell script that prints, hangs or crashes), so the
// timeout and crash paths run without TensorFlow. The real script against the real TensorFlow
// runs in tests/integration (check_verify.sh).
#include "tfgpu/verify/tensorflow_verify.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace tfgpu::verify {
namespace {

constexpr std::string_view kResult =
    R"(TFGPU-RESULT {"schema": "tfgpu.verify.tensorflow/1", "python": "3.11.7", )"
    R"("tensorflow_version": "2.21.0", "build_info": {"cuda_version": "12.5.1", "is_cuda_build": "True"}, )"
    R"("physical_gpus": [{"name": "/physical_device:GPU:0", "device_name": "NVIDIA H100 80GB HBM3", )"
    R"("compute_capability": "9.0"}], "memory_growth": [{"name": "/physical_device:GPU:0", "ok": true}], )"
    R"("logical_gpus": ["/device:GPU:0"], "matmuls": [{"size": 1000, )"
    R"("device": "/job:localhost/replica:0/task:0/device:GPU:0", "max_relative_error": 1.5e-07, )"
    R"("seconds": 0.0004, "tensorfloat32": true}, {"size": 4096, "error": {"type": )"
    R"("ResourceExhaustedError", "message": "OOM when allocating tensor"}}]})";

TEST(ParseTensorflowOutput, SplitsTheResultFromTheLog) {
  const std::string output =
      "I0000 cpu_feature_guard.cc:227] This TensorFlow binary is optimized\n" +
      std::string(kResult) + "\nW0000 trailing line\n";
  const TensorflowRun run = parse_tensorflow_output(output);
  ASSERT_TRUE(run.has_result) << run.result_problem;
  EXPECT_EQ(run.python_version, "3.11.7");
  EXPECT_EQ(run.tensorflow_version, "2.21.0");
  EXPECT_EQ(run.build_info.at("cuda_version"), "12.5.1");
  ASSERT_EQ(run.physical_gpus.size(), 1U);
  EXPECT_EQ(run.physical_gpus[0].device_name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(run.physical_gpus[0].compute_capability, "9.0");
  ASSERT_EQ(run.memory_growth.size(), 1U);
  EXPECT_TRUE(run.memory_growth[0].ok);
  EXPECT_EQ(run.logical_gpus, std::vector<std::string>{"/device:GPU:0"});
  ASSERT_EQ(run.matmuls.size(), 2U);
  EXPECT_EQ(run.matmuls[0].device, "/job:localhost/replica:0/task:0/device:GPU:0");
  EXPECT_DOUBLE_EQ(run.matmuls[0].max_relative_error, 1.5e-07);
  EXPECT_TRUE(run.matmuls[0].tensorfloat32);
  EXPECT_EQ(run.matmuls[1].error, "ResourceExhaustedError: OOM when allocating tensor");
  EXPECT_EQ(run.log, (std::vector<std::string>{
                         "I0000 cpu_feature_guard.cc:227] This TensorFlow binary is optimized",
                         "W0000 trailing line"}));
}

TEST(ParseTensorflowOutput, ImportErrorAndMissingOrBrokenResults) {
  auto run = parse_tensorflow_output(
      R"(TFGPU-RESULT {"schema": "tfgpu.verify.tensorflow/1", "import_error": )"
      R"({"type": "ImportError", "message": "libcudart.so.11.0: cannot open shared object file"}})");
  ASSERT_TRUE(run.has_result);
  EXPECT_EQ(run.import_error, "ImportError: libcudart.so.11.0: cannot open shared object file");

  run = parse_tensorflow_output("Segmentation fault\n");
  EXPECT_FALSE(run.has_result);
  EXPECT_EQ(run.result_problem, "the script printed no result line");
  EXPECT_EQ(run.log, std::vector<std::string>{"Segmentation fault"});

  run = parse_tensorflow_output("TFGPU-RESULT {\"schema\": \"tfgpu.verify.tensorflow/1\"");
  EXPECT_FALSE(run.has_result);
  EXPECT_NE(run.result_problem.find("does not parse"), std::string::npos);

  run = parse_tensorflow_output("TFGPU-RESULT [1, 2]");
  EXPECT_FALSE(run.has_result);
  EXPECT_NE(run.result_problem.find("not a tfgpu.verify.tensorflow/1"), std::string::npos);

  // Fields of the wrong type are skipped, never thrown.
  run = parse_tensorflow_output(
      R"(TFGPU-RESULT {"schema": "tfgpu.verify.tensorflow/1", "physical_gpus": 3, )"
      R"("matmuls": [7, {"size": "big", "device": 1}], "build_info": [1], "python": 3})");
  ASSERT_TRUE(run.has_result) << run.result_problem;
  EXPECT_TRUE(run.physical_gpus.empty());
  ASSERT_EQ(run.matmuls.size(), 1U);
  EXPECT_EQ(run.matmuls[0].size, 0);
  EXPECT_EQ(run.python_version, "");
}

// A stand-in interpreter: a shell script ignoring its arguments.
class StandInPython : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/tfgpu-verify-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }

  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string python(const std::string& body) {
    const std::string path = dir_ + "/python";
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path;
  }

  std::string dir_;
};

TEST_F(StandInPython, ResultAndLogComeBack) {
  TensorflowRunOptions options;
  options.python = python(
      "echo 'W0000 gpu_device.cc:2344] Cannot dlopen some GPU libraries.' >&2\n"
      "echo '" +
      std::string(kResult) + "'");
  options.env = {"PATH=/usr/bin:/bin"};
  auto run = run_tensorflow_check(options);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_TRUE(run->has_result) << run->result_problem;
  EXPECT_EQ(run->outcome, "exited");
  EXPECT_EQ(run->python, options.python);
  ASSERT_EQ(run->log.size(), 1U);
  EXPECT_NE(run->log[0].find("Cannot dlopen"), std::string::npos);
}

TEST_F(StandInPython, TimeoutAndCrashAreOutcomes) {
  TensorflowRunOptions options;
  options.env = {"PATH=/usr/bin:/bin"};
  options.python = python("echo importing; exec sleep 30");
  options.timeout = std::chrono::milliseconds(300);
  auto run = run_tensorflow_check(options);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->outcome, "timeout");
  EXPECT_FALSE(run->has_result);
  EXPECT_EQ(run->result_problem, "the child ended with timeout before printing its result");
  EXPECT_EQ(run->log, std::vector<std::string>{"importing"});

  options.python = python("kill -SEGV $$");
  options.timeout = std::chrono::seconds(10);
  run = run_tensorflow_check(options);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->outcome, "signal SIGSEGV");
  EXPECT_FALSE(run->has_result);
}

TEST_F(StandInPython, MissingInterpreterIsExit127) {
  TensorflowRunOptions options;
  options.python = dir_ + "/no-such-python";
  auto run = run_tensorflow_check(options);
  ASSERT_TRUE(run) << run.error().message;
  EXPECT_EQ(run->outcome, "exited 127");
  EXPECT_FALSE(run->has_result);
}

TEST(TensorflowCheckScript, IsEmbeddedWhole) {
  const std::string script = kTensorflowCheckScript;
  EXPECT_NE(script.find("tf.config.set_soft_device_placement(False)"), std::string::npos);
  EXPECT_NE(script.find("set_memory_growth(gpu, True)"), std::string::npos);
  EXPECT_NE(script.find("emit()"), std::string::npos);
  EXPECT_EQ(script.find("@TFGPU"), std::string::npos);
}

}  // namespace
}  // namespace tfgpu::verify
