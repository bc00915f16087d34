import Foundation
import Testing

@testable import Traffic

/// `Shard`: parsing `I/N`, and that the shards of a list partition it.
@Suite struct ShardTests {
    @Test(arguments: ["0/1", "0/4", "3/4", "999/1000"])
    func validShardsParse(text: String) throws {
        let s = try Shard.parse(text)
        #expect(s.description == text)
        #expect(s.partName == "part-\(s.index)-of-\(s.count)")
    }

    @Test(arguments: [
        ("4/4", "expected 0 to 3"), ("-1/4", "expected 0 to 3"), ("0/0", "from 1 to 1000"), ("1", "expected I/N"),
        ("a/b", "expected I/N"), ("1/2/3", "expected I/N"), ("0/1001", "from 1 to 1000"), ("", "expected I/N"),
    ])
    func invalidShardsAreRefusedSayingWhatIsValid(text: String, says: String) {
        #expect(throws: ShardError.self) { try Shard.parse(text) }
        do { _ = try Shard.parse(text) } catch { #expect(error.message.contains(says), "\(error.message)") }
    }

    @Test(arguments: [1, 2, 3, 7, 16])
    func theShardsOfAListAreDisjointAndCoverIt(count: Int) throws {
        for total in [0, 1, 5, 6, 7, 100, 101] {
            var owners = [Int](repeating: 0, count: total)
            var sizes = 0
            for i in 0..<count {
                let s = try Shard(index: i, count: count)
                let mine = (0..<total).filter { s.contains($0) }
                #expect(mine.count == s.size(of: total), "shard \(s) of \(total)")
                sizes += s.size(of: total)
                for p in mine { owners[p] += 1 }
            }
            #expect(owners.allSatisfy { $0 == 1 })
            #expect(sizes == total)
        }
    }

    @Test func decodingChecksTheShard() throws {
        let good = try JSONDecoder().decode(Shard.self, from: Data(#"{"index":2,"count":3}"#.utf8))
        #expect(good == (try Shard(index: 2, count: 3)))
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Shard.self, from: Data(#"{"index":3,"count":3}"#.utf8)) }
    }
}
