#ifndef SQUALL_CURL_SHIM_H
#define SQUALL_CURL_SHIM_H
#include <curl/curl.h>
#endif
