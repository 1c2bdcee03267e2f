import Foundation
import HummingbirdTesting
import QlippyModel
import QlippyTestSupport
import Testing

/// The search endpoint against a plain in-memory scan of the same data: same conversations, same
/// match counts, same order, same first matches, for random texts and random queries (1 to 6
/// characters, so that both the indexed path and the short-query scan run).
@Suite("Search against an in-memory scan")
struct SearchPropertyTests {
    /// ASCII letters in both cases, accented letters in both cases, CJK, emoji, punctuation and the
    /// characters that are syntax in SQL `LIKE` or FTS5 queries. Each lowercases to one scalar.
    static let alphabet = Array("aAbBeEoOéÉïÏçÇøØ日本語中文🚀🙂 .,!?%_\"*'-():^+".unicodeScalars)
    static let words = ["AND", "OR", "NOT", "NEAR", "and"]

    static func lower(_ text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.map { String($0).lowercased().unicodeScalars.first ?? $0 }
    }

    static func contains(_ text: String, _ query: String) -> Bool {
        let haystack = lower(text)
        let needle = lower(query)
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    static func text(_ random: inout SeededRandom, maxLength: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 1...maxLength, using: &random) {
            if Int.random(in: 0..<12, using: &random) == 0 {
                scalars.append(contentsOf: " \(words.randomElement(using: &random)!) ".unicodeScalars)
            } else {
                scalars.append(alphabet.randomElement(using: &random)!)
            }
        }
        return String(scalars)
    }

    /// A query cut from a stored text (with its case scrambled) or made up, 1 to 6 scalars, not blank.
    static func query(_ random: inout SeededRandom, from texts: [String]) -> String {
        while true {
            var candidate: String
            let length = Int.random(in: 1...6, using: &random)
            if Bool.random(using: &random), let source = texts.randomElement(using: &random), source.unicodeScalars.count >= length {
                let scalars = Array(source.unicodeScalars)
                let start = Int.random(in: 0...(scalars.count - length), using: &random)
                candidate = String(
                    String.UnicodeScalarView(
                        scalars[start..<start + length].map {
                            Bool.random(using: &random)
                                ? (String($0).uppercased().unicodeScalars.count == 1 ? String($0).uppercased().unicodeScalars.first! : $0)
                                : $0
                        }))
            } else {
                candidate = text(&random, maxLength: length)
            }
            let trimmed = candidate.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { return trimmed }
        }
    }

    @Test(arguments: 0..<6, SearchPath.allCases)
    func agreesWithAScan(seed: UInt64, path: SearchPath) async throws {
        let server = try TestServer(settings: path.settings)
        try await server.run { client in
            var random = SeededRandom(seed: seed)
            let user = try await client.createUser()
            var contents: [String: [(id: String, content: String)]] = [:]
            var titles: [String: String] = [:]
            for _ in 0..<8 {
                let title = Self.text(&random, maxLength: 12)
                let body = try String(decoding: JSONSerialization.data(withJSONObject: ["title": title]), as: UTF8.self)
                let conversation = try await client.createConversation(user: user, body)
                titles[conversation] = title
                for _ in 0..<Int.random(in: 0...6, using: &random) {
                    let message = try await client.addMessage(to: conversation, Self.text(&random, maxLength: 40))
                    contents[conversation, default: []].append(
                        (try #require(message.string("id")), try #require(message.string("content"))))
                }
            }
            let list = try await client.get("/api/users/\(user)/conversations").json.array
            let lastUpdated = Dictionary(
                uniqueKeysWithValues: list.compactMap { row in
                    (row["id"] as? String).map { ($0, row["last_updated"] as? String ?? "") }
                })
            let allTexts = Array(titles.values) + contents.values.flatMap { $0.map(\.content) }
            if path == .index { try await server.waitForSearchIndex() }
            for _ in 0..<25 {
                let query = Self.query(&random, from: allTexts)
                var expected: [(id: String, count: Int, first: [String])] = []
                for (conversation, title) in titles {
                    let hits = (contents[conversation] ?? []).filter { Self.contains($0.content, query) }
                    guard !hits.isEmpty || Self.contains(title, query) else { continue }
                    expected.append((conversation, hits.count, hits.prefix(3).map(\.id)))
                }
                expected.sort { a, b in
                    if a.count != b.count { return a.count > b.count }
                    if lastUpdated[a.id]! != lastUpdated[b.id]! { return lastUpdated[a.id]! > lastUpdated[b.id]! }
                    return a.id < b.id
                }
                let response = try await SearchTests.search(client, user, query)
                #expect(response.status == .ok, "q=\(query)")
                let body = try response.json
                let results = body["results"] as? [[String: Any]] ?? []
                let actual = results.map { result in
                    (
                        id: result["id"] as? String ?? "", count: result["match_count"] as? Int ?? -1,
                        first: (result["matching_messages"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                    )
                }
                #expect(body.int("total_results") == expected.count, "seed \(seed) q=\(query)")
                #expect(actual.map(\.id) == expected.map(\.id), "seed \(seed) q=\(query)")
                #expect(actual.map(\.count) == expected.map(\.count), "seed \(seed) q=\(query)")
                #expect(actual.map(\.first) == expected.map(\.first), "seed \(seed) q=\(query)")
            }
        }
    }
}
