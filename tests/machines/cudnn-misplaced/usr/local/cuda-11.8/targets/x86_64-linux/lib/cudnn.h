/* cudnn.h (cuDNN 8): includes the per-library headers; the version is in cudnn_version.h */
#include "cudnn_version.h"
#include "cudnn_ops_infer.h"
