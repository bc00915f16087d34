/// Module RedisStore: see README.md, "Architecture".
public enum RedisStoreModule {}
