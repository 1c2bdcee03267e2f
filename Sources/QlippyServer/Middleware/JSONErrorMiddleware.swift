import Hummingbird
import NIOCore
import QlippyModel
import QlippyStore
import QlippyTransfer

/// Turns every failure into the contract's `{"error": …}` JSON answer.
///
/// Store errors map to their contract texts; Hummingbird's own errors (unknown route, body too
/// large) keep their status with a JSON body; anything else is logged in full and answered
/// with a bare 500, so no internal detail reaches the client.
struct JSONErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let maxBodySize: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try apiError(for: error, context: context).response(from: request, context: context)
        }
    }

    private func apiError(for error: any Error, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as StoreError:
            return APIError(error)
        case let error as ImportError:
            return APIError(error)
        case is NIOTooManyBytesError:
            return .bodyTooLarge(limit: maxBodySize)
        case let error as HTTPError where error.status == .notFound:
            return .routeNotFound
        case let error as HTTPError where (400..<500).contains(error.status.code):
            return APIError(error.status, error.body ?? error.status.reasonPhrase)
        default:
            context.logger.error("request failed: \(String(reflecting: error))")
            return .internalError
        }
    }
}
