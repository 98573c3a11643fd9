# SPDX-License-Identifier: Apache-2.0
# Runs one example and checks both its exit status and its output (ctest's PASS_REGULAR_EXPRESSION
# alone would ignore the exit status).
#   cmake -DEXAMPLE=path [-DARGS=a;b] -DEXPECT_EXIT=n -DEXPECT_OUTPUT=regex [-DSKIP_IF_NO_GPU=ON]
#         -P run_example.cmake
# With SKIP_IF_NO_GPU, a run that fails because there is no GPU prints "SKIPPED: …" (the test's
# SKIP_REGULAR_EXPRESSION) unless TFGPU_EXPECT_GPU=1, where a missing GPU is a failure.
execute_process(COMMAND ${EXAMPLE} ${ARGS} RESULT_VARIABLE status OUTPUT_VARIABLE output
                ERROR_VARIABLE errors)
message("${output}${errors}")
if(SKIP_IF_NO_GPU AND NOT "$ENV{TFGPU_EXPECT_GPU}" STREQUAL "1" AND status EQUAL 1
   AND output MATCHES "GPU:0 does not exist")
  message("SKIPPED: no GPU here (set TFGPU_EXPECT_GPU=1 to make that a failure)")
  return()
endif()
if(NOT status EQUAL EXPECT_EXIT)
  message(FATAL_ERROR "${EXAMPLE} exited ${status}, expected ${EXPECT_EXIT}")
endif()
if(NOT output MATCHES "${EXPECT_OUTPUT}")
  message(FATAL_ERROR "${EXAMPLE}: the output does not match '${EXPECT_OUTPUT}'")
endif()
