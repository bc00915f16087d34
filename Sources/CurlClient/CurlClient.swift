/// Module CurlClient: see README.md, "Architecture".
public enum CurlClientModule {}
