/// Bounds on a scenario's values, checked by the loader (exit 2 at file:line:column naming the
/// limit). Each is in the README's "Limits" table.
public enum ScenarioLimits {
    /// Longest scenario `name`: 100 characters (it names the report directory, and the staging
    /// directory beside it adds ~30; most file systems allow 255 bytes).
    public static let maxNameLength = 100
    /// Longest prompt after `repeat`: 1,000,000 characters (about 250,000 tokens, beyond any model's context).
    public static let maxPromptCharacters = 1_000_000
    /// All prompts together after `repeat`: 4,000,000 characters.
    public static let maxPromptsCharacters = 4_000_000
    /// Most prompts in `load.prompts`: 1,000.
    public static let maxPrompts = 1_000
    /// Largest `repeat`: 100,000.
    public static let maxRepeat = 100_000
    /// Most submissions in one live run: 1,000,000 (the live driver records every task).
    public static let maxLiveTasks = 1_000_000
}
