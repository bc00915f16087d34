/// The seam for live mode. The live orchestrator (branch `live`: LoadGen over real sockets against
/// an in-process MockLLM or `--llm-url`, through the stack or `--target-url`) plugs in here by
/// returning its `ScenarioDriver` (with `mode == .live`) that fills the same `ScenarioResult`
/// through `ResultRecorder`. Until then this returns nil and `squall run --mode live` exits 3.
public enum LiveDriverProvider {
    /// The live driver for `options`, or nil when this build has none.
    public static func make(_ options: LiveOptions) -> (any ScenarioDriver)? {
        _ = options
        return nil
    }
}
