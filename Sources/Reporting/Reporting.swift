/// Module Reporting: see README.md, "Architecture".
public enum ReportingModule {}
