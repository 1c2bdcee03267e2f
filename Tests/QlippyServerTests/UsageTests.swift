import Foundation
import QlippyTestSupport
import Testing

@Suite("Usage summaries")
struct UsageTests {
    /// A planted message: its day (`nil`: no timestamp), model and usage.
    struct Planted: Sendable {
        var day: String?
        var model: String?
        var usage: (input: Int, output: Int)?
    }

    /// Sums of `planted` per key, as the API answers them: `[key: [messages, input, output]]`.
    static func expected(_ planted: [Planted], by key: (Planted) -> String?, from: String? = nil, to: String? = nil) -> [String?: [Int]] {
        var sums: [String?: [Int]] = [:]
        for message in planted {
            if from != nil || to != nil {
                guard let day = message.day, day >= (from ?? ""), day <= (to ?? "~") else { continue }
            }
            let old = sums[key(message)] ?? [0, 0, 0]
            sums[key(message)] = [old[0] + 1, old[1] + (message.usage?.input ?? 0), old[2] + (message.usage?.output ?? 0)]
        }
        return sums
    }

    /// The answer's groups as `[key: [messages, input, output]]`, checking `total` against them.
    static func groups(_ answer: JSONDocument, key: String) throws -> [String?: [Int]] {
        let groups = try #require(answer["groups"] as? [[String: Any]])
        var sums: [String?: [Int]] = [:]
        for group in groups {
            sums[group[key] as? String] = [
                group["messages"] as? Int ?? -1, group["input_tokens"] as? Int ?? -1, group["output_tokens"] as? Int ?? -1,
            ]
        }
        let total = try #require(answer["total"] as? [String: Int])
        #expect(total["messages"] == sums.values.map { $0[0] }.reduce(0, +))
        #expect(total["input_tokens"] == sums.values.map { $0[1] }.reduce(0, +))
        #expect(total["output_tokens"] == sums.values.map { $0[2] }.reduce(0, +))
        let keys = groups.map { $0[key] as? String }
        #expect(keys == keys.sorted { ($0 ?? "") < ($1 ?? "") }, "null first, then in order")
        return sums
    }

    /// Messages over several days and models, imported with their timestamps; each summary
    /// against the sums computed here, before and after edits and deletes.
    @Test func summariesMatchTheSumsOfTheMessages() async throws {
        var random = SeededRandom(seed: 20)
        let days = ["2026-01-30", "2026-01-31", "2026-02-01", "2026-02-14"]
        let models: [String?] = ["gpt-4o", "o3", "claude-sonnet", nil]
        var planted: [Planted] = []
        var conversations: [String] = []
        var ids: [String] = []
        for _ in 0..<3 {
            var messages: [String] = []
            for index in 0..<12 {
                let message = Planted(
                    day: index == 0 ? nil : days.randomElement(using: &random), model: models.randomElement(using: &random) ?? nil,
                    usage: Bool.random(using: &random)
                        ? (Int.random(in: 0...5000, using: &random), Int.random(in: 0...900, using: &random)) : nil)
                var fields = [#""id": "\#(UUID().uuidString.lowercased())""#, #""role": "assistant""#, #""content": "m\#(index)""#]
                fields.append(#""timestamp": \#(message.day.map { #""\#($0)T12:00:00Z""# } ?? "null")"#)
                if let model = message.model { fields.append(#""model": "\#(model)""#) }
                if let usage = message.usage {
                    fields.append(#""usage": {"input_tokens": \#(usage.input), "output_tokens": \#(usage.output)}"#)
                }
                if message.model == nil && message.usage == nil { fields.append(#""finish_reason": "stop""#) }
                messages.append("{" + fields.joined(separator: ", ") + "}")
                planted.append(message)
            }
            messages.append(#"{"id": "\#(UUID().uuidString.lowercased())", "role": "user", "content": "no details", "timestamp": null}"#)
            ids.append(UUID().uuidString.lowercased())
            conversations.append(
                #"{"id": "\#(ids.last!)", "title": "t", "folder": null, "created_at": null, "last_updated": null, "messages": [\#(messages.joined(separator: ", "))]}"#
            )
        }
        let file = #"{"format": "qlippy-export", "version": 1, "conversations": [\#(conversations.joined(separator: ", "))]}"#
        try await TestServer().run { [planted, ids] client in
            var planted = planted
            let user = try await client.createUser()
            let imported = try await TransferTests.importFile(client, user, Data(file.utf8))
            #expect(try imported.json.int("messages_imported") == 39, "\(imported.status): \(String(buffer: imported.body))")

            let byModel = try await client.get("/api/users/\(user)/usage").json
            #expect(byModel.string("group_by") == "model")
            #expect(byModel["from"] is NSNull && byModel["to"] is NSNull)
            #expect(try Self.groups(byModel, key: "model") == Self.expected(planted, by: \.model))
            let byDay = try await client.get("/api/users/\(user)/usage?group_by=day").json
            #expect(try Self.groups(byDay, key: "day") == Self.expected(planted, by: \.day))
            let range = try await client.get("/api/users/\(user)/usage?group_by=day&from=2026-01-31&to=2026-02-01").json
            #expect(range.string("from") == "2026-01-31")
            #expect(try Self.groups(range, key: "day") == Self.expected(planted, by: \.day, from: "2026-01-31", to: "2026-02-01"))
            let upTo = try await client.get("/api/users/\(user)/usage?to=2026-01-31").json
            #expect(try Self.groups(upTo, key: "model") == Self.expected(planted, by: \.model, to: "2026-01-31"))

            // Edits move a message between groups; deletes take it out.
            let first = try #require(
                try await client.get("/api/conversations/\(ids[0])/messages").json.array.first { $0["content"] as? String == "m0" })
            let firstID = try #require(first["id"] as? String)
            _ = try await client.put("/api/messages/\(firstID)", #"{"model": "edited", "usage": {"input_tokens": 7, "output_tokens": 8}}"#)
            planted[0].model = "edited"
            planted[0].usage = (7, 8)
            #expect(
                try Self.groups(try await client.get("/api/users/\(user)/usage").json, key: "model") == Self.expected(planted, by: \.model))
            #expect(try await client.delete("/api/conversations/\(ids[1])").status == .ok)
            planted.removeSubrange(12..<24)
            #expect(
                try Self.groups(try await client.get("/api/users/\(user)/usage").json, key: "model") == Self.expected(planted, by: \.model))
            let third = try await client.get("/api/conversations/\(ids[2])/messages").json.array
            let secondID = try #require(third.first { $0["content"] as? String == "m3" }?["id"] as? String)
            #expect(try await client.delete("/api/messages/\(secondID)").status == .ok)
            planted.remove(at: 12 + 3)
            #expect(
                try Self.groups(try await client.get("/api/users/\(user)/usage?group_by=day").json, key: "day")
                    == Self.expected(planted, by: \.day))
        }
    }

    @Test func aUserWithoutDetailsHasAnEmptySummary() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let conversation = try await client.createConversation(user: user)
            try await client.addMessage(to: conversation, "plain")
            let answer = try await client.get("/api/users/\(user)/usage?group_by=day")
            #expect(answer.status == .ok)
            #expect(
                String(buffer: answer.body)
                    == #"{"group_by":"day","from":null,"to":null,"total":{"messages":0,"input_tokens":0,"output_tokens":0},"groups":[]}"#)
        }
    }

    @Test(arguments: [
        ("group_by=week", "group_by must be model or day"),
        ("from=2026-02-30", "from must be a date (YYYY-MM-DD)"),
        ("to=2026-1-5", "to must be a date (YYYY-MM-DD)"),
        ("from=2026-01-05T00:00:00Z", "from must be a date (YYYY-MM-DD)"),
    ])
    func badParametersAre400(query: String, message: String) async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let answer = try await client.get("/api/users/\(user)/usage?\(query)")
            #expect(answer.status == .badRequest)
            #expect(answer.errorMessage == message)
        }
    }

    @Test func anUnknownUserIs404() async throws {
        try await TestServer().run { client in
            let answer = try await client.get("/api/users/\(UUID().uuidString.lowercased())/usage")
            #expect(answer.status == .notFound)
            #expect(answer.errorMessage == "User not found")
        }
    }

    /// An import writes several conversations at once (on PostgreSQL, each in a transaction of its
    /// own), and each adds to the totals of many days and models: never a deadlock between them.
    @Test func conversationsImportedAtOnceAllCount() async throws {
        var random = SeededRandom(seed: 7)
        let keys = ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"].flatMap { day in ["a", "b", "c"].map { (day, $0) } }
        var conversations: [String] = []
        var expected: [String: Int] = [:]
        for _ in 0..<24 {
            let messages = (0..<30).map { index in
                let (day, model) = keys.randomElement(using: &random)!
                expected[model, default: 0] += 1
                return
                    #"{"id": "\#(UUID().uuidString.lowercased())", "role": "assistant", "content": "m\#(index)", "timestamp": "\#(day)T08:00:00Z", "model": "\#(model)", "usage": {"input_tokens": 1, "output_tokens": 2}}"#
            }
            conversations.append(
                #"{"id": "\#(UUID().uuidString.lowercased())", "title": "t", "folder": null, "created_at": null, "last_updated": null, "messages": [\#(messages.joined(separator: ", "))]}"#
            )
        }
        let file = #"{"format": "qlippy-export", "version": 1, "conversations": [\#(conversations.joined(separator: ", "))]}"#
        try await TestServer().run { [expected] client in
            let user = try await client.createUser()
            let imported = try await TransferTests.importFile(client, user, Data(file.utf8))
            #expect(try imported.json.int("messages_imported") == 24 * 30, "\(imported.status): \(String(buffer: imported.body))")
            let byModel = try Self.groups(try await client.get("/api/users/\(user)/usage").json, key: "model")
            #expect(byModel == Dictionary(uniqueKeysWithValues: expected.map { ($0.key, [$0.value, $0.value, 2 * $0.value]) }))
        }
    }
}
