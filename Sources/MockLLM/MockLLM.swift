/// Module MockLLM: see README.md, "Architecture".
public enum MockLLMModule {}
