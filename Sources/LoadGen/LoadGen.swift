/// Module LoadGen: see README.md, "Architecture".
public enum LoadGenModule {}
