#ifndef SQUALL_CURL_SHIM_H
#define SQUALL_CURL_SHIM_H
/*
 * Non-variadic, typed wrappers around libcurl's variadic entry points, so Swift can call them.
 * Each wrapper forwards its argument unchanged; the option decides which wrapper is correct
 * (see the CURLOPTTYPE_* of the option in curl.h).
 */
#include <curl/curl.h>

/* One-time, thread-safe curl_global_init(CURL_GLOBAL_DEFAULT). Returns its result (CURLE_OK on success). */
CURLcode squall_curl_global_init_once(void);

/* A write or header callback: (buffer, size, nmemb, userdata) -> bytes consumed. */
typedef size_t (*squall_data_callback)(char *buffer, size_t size, size_t nmemb, void *userdata);

/* curl_easy_setopt for CURLOPTTYPE_LONG / CURLOPTTYPE_VALUES options. */
CURLcode squall_easy_setopt_long(CURL *handle, CURLoption option, long value);
/* curl_easy_setopt for CURLOPTTYPE_OBJECTPOINT / SLISTPOINT / CBPOINT options. */
CURLcode squall_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
/* curl_easy_setopt for CURLOPTTYPE_STRINGPOINT options (curl copies the string). */
CURLcode squall_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
/* curl_easy_setopt for CURLOPTTYPE_OFF_T options. */
CURLcode squall_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
/* curl_easy_setopt for CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION. */
CURLcode squall_easy_setopt_data_callback(CURL *handle, CURLoption option, squall_data_callback callback);

/* curl_multi_setopt for long-valued options (CURLMOPT_MAX_TOTAL_CONNECTIONS, ...). */
CURLMcode squall_multi_setopt_long(CURLM *multi, CURLMoption option, long value);
/* curl_multi_setopt for pointer-valued options. */
CURLMcode squall_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value);

/* curl_easy_getinfo for CURLINFO_LONG items. */
CURLcode squall_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
/* curl_easy_getinfo for CURLINFO_DOUBLE items. */
CURLcode squall_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
/* curl_easy_getinfo for CURLINFO_OFF_T items (the *_TIME_T timings, in microseconds). */
CURLcode squall_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
/* curl_easy_getinfo for CURLINFO_PTR / CURLINFO_STRING items (CURLINFO_PRIVATE, CURLINFO_EFFECTIVE_URL). */
CURLcode squall_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

/* The result code of a CURLMSG_DONE message (the `data.result` union member). */
CURLcode squall_multi_message_result(const CURLMsg *message);

#endif
