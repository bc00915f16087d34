/// Module Scenarios: see README.md, "Architecture".
public enum ScenariosModule {}
