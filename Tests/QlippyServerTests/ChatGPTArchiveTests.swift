import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import QlippyModel
import QlippyTestSupport
import Testing

/// ChatGPT export archives (`application/zip`): the split files of newer exports, and archives
/// that must be refused whole, with nothing written.
@Suite("ChatGPT archives")
struct ChatGPTArchiveTests {
    static func post(_ client: some TestClientProtocol, _ user: String, zip: Data) async throws -> TestResponse {
        try await client.executeRequest(
            uri: "/api/users/\(user)/import", method: .post, headers: [.contentType: "application/zip"], body: ByteBuffer(bytes: zip)
        )
    }

    /// The conversations of ``ChatGPTImportTests/export()``, split over three files as newer exports are.
    static func splitArchive() throws -> Data {
        let all = try #require(try JSONSerialization.jsonObject(with: ChatGPTImportTests.export()) as? [Any])
        return try ZIPFixture.make([
            ("chat.html", Data("<html></html>".utf8)),
            ("conversations-000.json", try JSONSerialization.data(withJSONObject: Array(all[0..<2]))),
            ("conversations-001.json", try JSONSerialization.data(withJSONObject: Array(all[2..<5]))),
            ("conversations-002.json", try JSONSerialization.data(withJSONObject: Array(all[5...]))),
            ("user.json", Data(#"{"id": "user-1"}"#.utf8)),
            ("file-abc.png", Data([0x89, 0x50, 0x4E, 0x47])),
        ])
    }

    @Test func aSplitArchiveImportsLikeOneFile() async throws {
        let server = try TestServer()
        try await server.run { client in
            let user = try await client.createUser()
            let response = try await Self.post(client, user, zip: try Self.splitArchive())
            #expect(response.status == .ok)
            let report = try response.json
            #expect(report.string("format") == "chatgpt")
            #expect(report.int("files_read") == 3)
            #expect(report.int("conversations_imported") == 5)
            #expect(report.int("messages_imported") == 15)
            #expect((report["skipped"] as? [[String: String]])?.map { $0["source_id"] } == ["broken-1", ""])
            #expect(
                report["messages_skipped"] as? [String: Int] == [
                    "system": 1, "hidden": 1, "thoughts": 1, "reasoning_recap": 1, "tool": 1, "empty": 1,
                ])
            let again = try await Self.post(client, user, zip: try Self.splitArchive()).json
            #expect(again.int("conversations_already_present") == 5)
            #expect(again.int("conversations_imported") == 0)
        }
    }

    /// A file of the archive that is not JSON is reported; the others arrive.
    @Test func aDamagedFileInTheArchiveIsReportedAndTheRestArrives() async throws {
        try await TestServer().run { client in
            let user = try await client.createUser()
            let good = try JSONSerialization.data(withJSONObject: [
                ChatGPTFixture.conversation(
                    id: "ok-1", title: "ok",
                    nodes: [
                        ("root", nil, nil), ("u", "root", ChatGPTFixture.message("user", ChatGPTFixture.text("hi"), time: 1_700_000_000)),
                    ], current: "u")
            ])
            let zip = try ZIPFixture.make([("conversations-000.json", good), ("conversations-001.json", Data("[{\"mapping\": ".utf8))])
            let report = try await Self.post(client, user, zip: zip).json
            #expect(report.int("files_read") == 2)
            #expect(report.int("conversations_imported") == 1)
            let skipped = report["skipped"] as? [[String: String]] ?? []
            #expect(skipped.first?["source_id"] == "conversations-001.json")
            #expect(skipped.first?["reason"]?.hasPrefix("Import file is not valid JSON: the file ends in the middle of a value") == true)
        }
    }

    @Test(arguments: [
        ("no conversation files", 400, "ZIP archive has no conversations.json or conversations-NNN.json; found chat.html, user.json"),
        ("path traversal", 400, "ZIP archive has an entry named ../conversations.json, outside the archive's folder"),
        ("absolute path", 400, "ZIP archive has an entry named /tmp/conversations.json, outside the archive's folder"),
        ("not a ZIP", 400, "Import file is not a ZIP archive"),
        ("bomb", 413, "ZIP entry conversations.json unpacks to more than 65536 bytes"),
    ])
    func archivesThatCannotBeImportedAreRefusedWhole(name: String, status: Int, message: String) async throws {
        let conversation = try JSONSerialization.data(withJSONObject: [
            ChatGPTFixture.conversation(
                id: "c-1", title: "t",
                nodes: [
                    ("root", nil, nil), ("u", "root", ChatGPTFixture.message("user", ChatGPTFixture.text("hi"), time: 1_700_000_000)),
                ], current: "u")
        ])
        let zip: Data =
            switch name {
            case "no conversation files": try ZIPFixture.make([("chat.html", Data("<html>".utf8)), ("user.json", Data("{}".utf8))])
            case "path traversal": try ZIPFixture.make([("conversations-000.json", conversation), ("../conversations.json", conversation)])
            case "absolute path": try ZIPFixture.make([("/tmp/conversations.json", conversation)])
            case "not a ZIP": Data("PK but not really".utf8)
            default:
                // A small valid file, then 8 MB of spaces that deflate to a few KB.
                try ZIPFixture.make([
                    ("conversations-000.json", conversation), ("conversations.json", Data(repeating: 0x20, count: 8 << 20) + conversation),
                ])
            }
        let server = try TestServer(settings: ["maxImportSize": "65536"])
        try await server.run { client in
            let user = try await client.createUser()
            let counts = try await server.rowCounts()
            let response = try await Self.post(client, user, zip: zip)
            #expect(Int(response.status.code) == status)
            #expect(response.errorMessage == message)
            #expect(try await server.rowCounts() == counts, "nothing written")
        }
    }
}
