# SPDX-License-Identifier: Apache-2.0
# `tfgpu verify`, through the user's TensorFlow: the three checks of TensorFlow's GPU how-to (list
# the GPUs, set memory growth, run a matmul pinned to GPU:0 and look where it ran), with soft
# device placement OFF so a GPU that cannot run the op is an error, never a silent CPU run.
# tfgpu runs this in a child process with a timeout; TensorFlow's own log goes to stderr, which
# tfgpu keeps and explains. The result is one line on stdout: "TFGPU-RESULT <json>".
# Argument: the size of the larger matmul (the 1000x1000 one always runs first).
import json
import sys
import time

result = {"schema": "tfgpu.verify.tensorflow/1", "python": sys.version.split()[0]}


def emit():
    sys.stdout.write("TFGPU-RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


def matmul_on_gpu(tf, np, size):
    """A size x size float32 matmul on /GPU:0: where it ran, its error against float64, time."""
    rng = np.random.default_rng(7)
    a_host = rng.uniform(-1.0, 1.0, (size, size)).astype(np.float32)
    b_host = rng.uniform(-1.0, 1.0, (size, size)).astype(np.float32)
    with tf.device("/GPU:0"):
        a = tf.constant(a_host)
        b = tf.constant(b_host)
        c = tf.matmul(a, b)  # warm-up: cuBLAS handle, autotuning
        c.numpy()
        start = time.perf_counter()
        c = tf.matmul(a, b)
        value = c.numpy()  # copies back: the matmul has finished
        seconds = time.perf_counter() - start
    reference = a_host.astype(np.float64) @ b_host.astype(np.float64)
    scale = float(np.max(np.abs(reference))) or 1.0
    return {
        "size": size,
        "device": c.device,
        "backing_device": getattr(c, "backing_device", ""),
        "max_relative_error": float(np.max(np.abs(value - reference))) / scale,
        "seconds": seconds,
        "tensorfloat32": bool(tf.config.experimental.is_tensor_float_32_execution_enabled()),
    }


def main():
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
    start = time.perf_counter()
    try:
        import numpy as np
        import tensorflow as tf
    except Exception as error:  # ImportError, or a crash surfaced as one
        result["import_error"] = {"type": type(error).__name__, "message": str(error)}
        return
    result["import_seconds"] = time.perf_counter() - start
    result["tensorflow_version"] = tf.__version__
    try:
        result["build_info"] = {k: str(v) for k, v in tf.sysconfig.get_build_info().items()}
    except Exception as error:
        result["build_info_error"] = str(error)
    tf.config.set_soft_device_placement(False)
    gpus = tf.config.list_physical_devices("GPU")
    result["physical_gpus"] = []
    for gpu in gpus:
        entry = {"name": gpu.name}
        try:
            details = tf.config.experimental.get_device_details(gpu)
            entry["device_name"] = details.get("device_name", "")
            capability = details.get("compute_capability")
            entry["compute_capability"] = ".".join(map(str, capability)) if capability else ""
        except Exception as error:
            entry["details_error"] = str(error)
        result["physical_gpus"].append(entry)
    # Memory growth must be set before anything initialises the GPUs, as the how-to says.
    result["memory_growth"] = []
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
            result["memory_growth"].append({"name": gpu.name, "ok": True})
        except Exception as error:
            result["memory_growth"].append({"name": gpu.name, "ok": False, "error": str(error)})
    result["logical_gpus"] = [d.name for d in tf.config.list_logical_devices("GPU")]
    if not gpus:
        return
    result["matmuls"] = []
    for n in (1000, size) if size != 1000 else (1000,):
        try:
            result["matmuls"].append(matmul_on_gpu(tf, np, n))
        except Exception as error:
            result["matmuls"].append(
                {"size": n, "error": {"type": type(error).__name__, "message": str(error)}})
            break


try:
    main()
except Exception as error:  # anything unforeseen still ends in a result line
    result["error"] = {"type": type(error).__name__, "message": str(error)}
emit()
