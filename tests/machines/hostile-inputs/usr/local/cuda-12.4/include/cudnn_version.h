#define CUDNN_MAJOR 9
#define CUDNN_MINOR
