import Foundation
import Traffic

extension ArrivalReplay {
    /// Reads and parses a CSV file of task start times (`squall load --replay FILE`).
    public static func load(path: String) throws(ArrivalError) -> [Duration] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ArrivalError("cannot read replay file \(path): \(error.localizedDescription)")
        }
        return try parse(text, source: path)
    }
}
