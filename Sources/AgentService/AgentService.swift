/// Module AgentService: see README.md, "Architecture".
public enum AgentServiceModule {}
