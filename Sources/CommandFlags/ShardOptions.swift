import ArgumentParser
import Traffic

/// `--shard I/N` and `--shards N`, shared by the commands that can be split over machines
/// (issue #13; today `squall audit`): run one deterministic slice of the work and write a partial
/// result, `OUT/part-I-of-N/`, that `squall merge` puts together. `--shards N` takes the index from
/// `JOB_COMPLETION_INDEX`, which a Kubernetes Indexed Job gives each of its pods.
public struct ShardOptions: ParsableArguments, Sendable {
    /// `--shard I/N`.
    @Option(name: .customLong("shard"), help: "Run only shard I of N (I from 0, e.g. 0/4) and write OUT/part-I-of-N/ for `squall merge`.")
    public var shard: String?

    /// `--shards N`.
    @Option(
        name: .customLong("shards"),
        help: "Split into N shards and run the one JOB_COMPLETION_INDEX names (a Kubernetes Indexed Job); writes OUT/part-I-of-N/.")
    public var shards: Int?

    /// No flag given.
    public init() {}

    /// The environment variable `--shards` reads the index from.
    public static let indexVariable = "JOB_COMPLETION_INDEX"

    /// The shard asked for (nil: unsharded). Errors name the flag or the variable and what is valid.
    public func resolve(environment: [String: String]) throws(FlagError) -> Shard? {
        var fromFlag: Shard?
        if let shard {
            do { fromFlag = try Shard.parse(shard) } catch { throw FlagError("--shard \(shard): \(error.message)") }
        }
        guard let shards else { return fromFlag }
        guard (1...Shard.maxCount).contains(shards) else {
            throw FlagError("--shards \(shards): expected a whole number from 1 to \(Shard.maxCount)")
        }
        let fromEnvironment: Shard
        if let text = environment[Self.indexVariable] {
            guard let i = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw FlagError("\(Self.indexVariable)=\(text): expected a whole number from 0 to \(shards - 1) (with --shards \(shards))")
            }
            do { fromEnvironment = try Shard(index: i, count: shards) } catch {
                throw FlagError("\(Self.indexVariable)=\(text) with --shards \(shards): \(error.message)")
            }
        } else if let fromFlag {
            fromEnvironment = fromFlag
        } else {
            throw FlagError(
                "--shards \(shards): \(Self.indexVariable) is not set; give the index with --shard I/\(shards), "
                    + "or run as a Kubernetes Indexed Job (which sets it)")
        }
        if let fromFlag, fromFlag != fromEnvironment {
            throw FlagError("--shard \(fromFlag) and --shards \(shards) (\(Self.indexVariable)) disagree: give one of them")
        }
        return fromEnvironment
    }
}
