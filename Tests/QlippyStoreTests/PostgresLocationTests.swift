import PostgresNIO
import QlippyModel
import QlippyTestSupport
import Testing

@testable import QlippyPostgres
@testable import QlippyStore

/// `postgres://` URLs: what each part selects, and one clear error for what cannot be used.
@Suite("PostgreSQL URLs")
struct PostgresLocationTests {
    @Test func everyPartIsRead() throws {
        let location = try PostgresLocation(url: "postgresql://qlippy:p%40ss%2Fword@db.internal:6543/chats?sslmode=require&pool_size=4")
        #expect(location.username == "qlippy")
        #expect(location.password == "p@ss/word")
        #expect(location.host == "db.internal")
        #expect(location.port == 6543)
        #expect(location.database == "chats")
        #expect(location.sslMode == .require)
        #expect(location.poolSize == 4)
        #expect(location.socketFolder == nil)
        #expect(location.redacted == "postgres://qlippy@db.internal:6543/chats")
    }

    @Test func defaultsAreLibpqs() throws {
        let location = try PostgresLocation(url: "postgres://ada@localhost")
        #expect(location.port == 5432)
        #expect(location.database == "ada", "the database defaults to the user's name")
        #expect(location.password == nil)
        #expect(location.sslMode == .prefer)
        #expect(location.poolSize == PostgresLocation.defaultPoolSize)
    }

    @Test func aHostFolderMeansItsUnixSocket() throws {
        let location = try PostgresLocation(url: "postgres://postgres@localhost/qlippy?host=/run/postgresql")
        #expect(location.socketFolder == "/run/postgresql")
        #expect(location.redacted == "postgres://postgres@localhost/qlippy?host=/run/postgresql")
        #expect(try location.clientConfiguration().unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
    }

    /// A fixed pool without keep-alive timers (see ``PostgresLocation/clientConfiguration()``).
    @Test func thePoolIsFixedAtItsSize() throws {
        let options = try PostgresLocation(url: "postgres://ada@localhost/qlippy?pool_size=7").clientConfiguration().options
        #expect(options.minimumConnections == 7)
        #expect(options.maximumConnections == 7)
        #expect(options.keepAliveBehavior == nil)
    }

    @Test(arguments: [
        ("mysql://ada@localhost/qlippy", "expected postgres://user:password@host:port/database"),
        ("postgres://ada@localhost/qlippy?sslmode=sometimes", "sslmode must be one of disable, prefer, require"),
        ("postgres://ada@localhost/qlippy?pool_size=0", "pool_size must be an integer from 1 to 1000"),
        ("postgres://ada@localhost/qlippy?pool_size=lots", "pool_size must be an integer from 1 to 1000"),
    ])
    func unusableURLsSayWhy(url: String, reason: String) {
        #expect(throws: PostgresLocationError(url: url, reason: reason)) { try PostgresLocation(url: url) }
    }
}
