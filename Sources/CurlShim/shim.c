#include "CurlShim.h"
#include <pthread.h>

static pthread_once_t squall_global_once = PTHREAD_ONCE_INIT;
static CURLcode squall_global_result = CURLE_OK;

static void squall_global_init(void) { squall_global_result = curl_global_init(CURL_GLOBAL_DEFAULT); }

CURLcode squall_curl_global_init_once(void) {
    pthread_once(&squall_global_once, squall_global_init);
    return squall_global_result;
}

CURLcode squall_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode squall_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode squall_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode squall_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

CURLcode squall_easy_setopt_data_callback(CURL *handle, CURLoption option, squall_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

CURLMcode squall_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

CURLMcode squall_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}

CURLcode squall_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode squall_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode squall_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode squall_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

CURLcode squall_multi_message_result(const CURLMsg *message) {
    return message->data.result;
}
