-- wrk script: the same non-streaming chat-completions POST for every request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench"
wrk.body = '{"model":"llama-3.1-8b-instant","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"What is the capital of France?"}],"max_tokens":64}'
