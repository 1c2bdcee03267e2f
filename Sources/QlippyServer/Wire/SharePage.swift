import Crypto
import Foundation
import Hummingbird
import QlippyModel

/// The HTML page of a share link (`/shared/{share_id}`): the title and each message, readable on a
/// phone, every text escaped, no script, and a Content-Security-Policy that allows nothing but the
/// page's one stylesheet (by its hash): a message holding markup shows as text, and nothing it
/// holds could load or run even if escaping failed.
enum SharePage {
    static let style = """
        body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#222;background:#fff}\
        h1{font-size:1.4rem;margin:0 0 .25rem}.note{color:#666;font-size:.85rem;margin:0 0 1.5rem}\
        article{border-radius:.5rem;padding:.6rem .9rem;margin:0 0 .8rem;background:#f3f3f3}\
        article.user{background:#e7f0fe}h2{font-size:.8rem;margin:0 0 .3rem;color:#555;font-weight:600}\
        p{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
        """

    /// Nothing but the stylesheet above: no script, image, frame, form or base of any origin.
    static let contentSecurityPolicy: String = {
        let hash = Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString()
        return "default-src 'none'; style-src 'sha256-\(hash)'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }()

    static func response(_ shared: SharedConversation, link: ShareLink) -> Response {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex, nofollow">
            <title>\(escaped(shared.title))</title>
            <style>\(style)</style></head><body>
            <h1>\(escaped(shared.title))</h1>
            <p class="note">A shared conversation, as it was on \(link.updatedAt.storageText.prefix(16)) UTC.</p>

            """
        for message in shared.messages {
            let model = message.model.map { " · " + escaped($0) } ?? ""
            html += """
                <article class="\(message.role == "user" ? "user" : "assistant")"><h2>\(escaped(message.role))\(model)</h2>\
                <p>\(escaped(message.content))</p></article>

                """
        }
        html += "</body></html>\n"
        let headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: contentSecurityPolicy, .robotsTag: "noindex, nofollow",
            .xContentTypeOptions: "nosniff", .referrerPolicy: "no-referrer", .cacheControl: "no-store",
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// Text as HTML text or an attribute's value: the five characters that could end either.
    static func escaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
