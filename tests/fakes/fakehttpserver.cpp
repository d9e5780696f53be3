#include "fakehttpserver.h"

#include <QHostAddress>
#include <QMetaObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

namespace {

constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
constexpr qint64 kMaxBodyBytes = 64 * 1024 * 1024;

const char *reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 402:
        return "Payment Required";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Status";
    }
}

// Form-style decoding: '+' is a space in query strings (QNAM encodes spaces as %20, others may not).
QString decodeQueryPart(QByteArray part)
{
    part.replace('+', ' ');
    return QUrl::fromPercentEncoding(part);
}

QUrlQuery parseQuery(const QByteArray &rawQuery)
{
    QUrlQuery query;
    qsizetype pos = 0;
    while (pos <= rawQuery.size()) {
        qsizetype amp = rawQuery.indexOf('&', pos);
        if (amp < 0)
            amp = rawQuery.size();
        if (amp > pos) {
            const QByteArray item = rawQuery.mid(pos, amp - pos);
            const qsizetype eq = item.indexOf('=');
            if (eq < 0)
                query.addQueryItem(decodeQueryPart(item), QString());
            else
                query.addQueryItem(decodeQueryPart(item.left(eq)), decodeQueryPart(item.mid(eq + 1)));
        }
        pos = amp + 1;
    }
    return query;
}

} // namespace

FakeResponse FakeResponse::json(int status, const QByteArray &body)
{
    FakeResponse response;
    response.status = status;
    response.body = body;
    return response;
}

// One client connection; lives in the server thread. Requests on a connection are answered strictly in
// order: while a (delayed) response is pending, further pipelined requests wait in m_in.
class FakeHttpConnection : public QObject
{
public:
    FakeHttpConnection(FakeHttpServer *server, QTcpSocket *socket, QObject *parent)
        : QObject(parent)
        , m_server(server)
        , m_socket(socket)
    {
        socket->setParent(this);
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // header and body go out at once
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, &FakeHttpConnection::sendPending);
        connect(socket, &QTcpSocket::readyRead, this, &FakeHttpConnection::onReadyRead);
        connect(socket, &QTcpSocket::disconnected, this, &FakeHttpConnection::onDisconnected);
    }

    ~FakeHttpConnection() override { m_socket->disconnect(this); }

private:
    void onReadyRead()
    {
        if (m_closed)
            return;
        if (m_in.isEmpty())
            m_in = m_socket->readAll(); // the common case: no copy
        else
            m_in += m_socket->readAll();
        processInput();
    }

    void onDisconnected()
    {
        m_closed = true;
        m_timer.stop();
        deleteLater();
    }

    void processInput()
    {
        while (!m_busy && !m_closed) {
            const qsizetype headerEnd = m_in.indexOf("\r\n\r\n");
            if (headerEnd < 0) {
                if (m_in.size() > kMaxHeaderBytes)
                    failAndClose(431);
                return;
            }
            qsizetype lineEnd = m_in.indexOf("\r\n");
            const QByteArray requestLine = m_in.left(lineEnd);
            const qsizetype sp1 = requestLine.indexOf(' ');
            const qsizetype sp2 = requestLine.lastIndexOf(' ');
            if (sp1 <= 0 || sp2 <= sp1) {
                failAndClose(400);
                return;
            }
            FakeRequest request;
            request.method = requestLine.left(sp1);
            request.rawTarget = requestLine.mid(sp1 + 1, sp2 - sp1 - 1);
            const QByteArray version = requestLine.mid(sp2 + 1);

            qint64 contentLength = 0;
            bool chunked = false;
            qsizetype pos = lineEnd + 2;
            while (pos < headerEnd) {
                qsizetype end = m_in.indexOf("\r\n", pos);
                if (end < 0 || end > headerEnd)
                    end = headerEnd;
                const qsizetype colon = m_in.indexOf(':', pos);
                if (colon > pos && colon < end) {
                    QByteArray name = m_in.mid(pos, colon - pos).trimmed().toLower();
                    QByteArray value = m_in.mid(colon + 1, end - colon - 1).trimmed();
                    if (name == "content-length") {
                        bool ok = false;
                        contentLength = value.toLongLong(&ok);
                        if (!ok || contentLength < 0 || contentLength > kMaxBodyBytes) {
                            failAndClose(contentLength > kMaxBodyBytes ? 413 : 400);
                            return;
                        }
                    } else if (name == "transfer-encoding" && value.toLower().contains("chunked")) {
                        chunked = true;
                    }
                    request.headers.insert(name, value);
                }
                pos = end + 2;
            }
            if (chunked) { // QNAM sends Content-Length for every body we care about
                failAndClose(501);
                return;
            }
            const qsizetype total = headerEnd + 4 + contentLength;
            if (m_in.size() < total)
                return; // wait for the rest of the body
            if (contentLength > 0)
                request.body = m_in.mid(headerEnd + 4, contentLength);
            if (total == m_in.size())
                m_in.clear();
            else
                m_in.remove(0, total);

            QByteArray target = request.rawTarget;
            if (target.startsWith("http://") || target.startsWith("https://")) { // absolute-form
                const QUrl url = QUrl::fromEncoded(target);
                target = url.path(QUrl::FullyEncoded).toLatin1();
                if (url.hasQuery())
                    target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
            }
            const qsizetype question = target.indexOf('?');
            request.path = QUrl::fromPercentEncoding(question < 0 ? target : target.left(question));
            if (question >= 0)
                request.query = parseQuery(target.mid(question + 1));

            const QByteArray connection = request.headers.value("connection").toLower();
            if (version == "HTTP/1.1")
                m_keepAlive = !connection.contains("close");
            else
                m_keepAlive = connection.contains("keep-alive");
            m_isHead = request.method == "HEAD";

            FakeResponse response = m_server->dispatch(request);
            const int delayMs = m_server->m_latencyMs.load() + response.delayMs;
            if (delayMs > 0) {
                // Answer later from the event loop, so other connections keep being served meanwhile.
                m_busy = true;
                m_pending = std::move(response);
                m_timer.start(delayMs);
                return;
            }
            send(response);
        }
    }

    void sendPending()
    {
        m_busy = false;
        const FakeResponse response = std::move(m_pending);
        m_pending = FakeResponse();
        send(response);
        processInput(); // requests that arrived while this one was delayed
    }

    void send(const FakeResponse &response)
    {
        if (m_closed)
            return;
        if (response.dropConnection) {
            // Earlier answers on this connection still go out; this request gets none.
            m_socket->flush();
            m_closed = true;
            m_socket->abort();
            return;
        }
        QByteArray head;
        head.reserve(160 + response.headers.size() * 48);
        head += "HTTP/1.1 ";
        head += QByteArray::number(response.status);
        head += ' ';
        head += reasonPhrase(response.status);
        head += "\r\n";
        bool hasContentType = false;
        for (const auto &header : response.headers) {
            if (header.first.compare("content-type", Qt::CaseInsensitive) == 0)
                hasContentType = true;
            head += header.first;
            head += ": ";
            head += header.second;
            head += "\r\n";
        }
        if (!hasContentType)
            head += "Content-Type: application/json\r\n";
        head += "Content-Length: ";
        head += QByteArray::number(response.body.size());
        head += "\r\n";
        if (!m_keepAlive)
            head += "Connection: close\r\n";
        head += "\r\n";
        // Two writes of implicitly shared buffers, then one flush: the body is not copied into the header.
        m_socket->write(head);
        if (response.cutAfterBytes >= 0) { // a connection lost mid-body
            m_socket->write(response.body.left(response.cutAfterBytes));
            m_socket->flush();
            m_closed = true;
            m_socket->disconnectFromHost();
            return;
        }
        if (!m_isHead && !response.body.isEmpty())
            m_socket->write(response.body);
        m_socket->flush();
        if (!m_keepAlive) {
            m_closed = true;
            m_socket->disconnectFromHost(); // after the pending bytes are written
        }
    }

    void failAndClose(int status)
    {
        FakeResponse response;
        response.status = status;
        response.headers.emplaceBack("Content-Type", "text/plain");
        response.body = reasonPhrase(status);
        m_keepAlive = false;
        m_isHead = false;
        send(response);
    }

    FakeHttpServer *m_server;
    QTcpSocket *m_socket;
    QByteArray m_in;
    QTimer m_timer;
    FakeResponse m_pending;
    bool m_busy = false;
    bool m_closed = false;
    bool m_keepAlive = true;
    bool m_isHead = false;
};

// Owns the listening socket and every connection; lives in FakeHttpServer::m_thread.
class FakeHttpServerWorker : public QObject
{
public:
    explicit FakeHttpServerWorker(FakeHttpServer *server)
        : m_server(server)
    {
    }

    bool listen(quint16 port, quint16 *actualPort)
    {
        m_tcp = new QTcpServer(this);
        m_tcp->setMaxPendingConnections(1000);
        connect(m_tcp, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
                ++m_server->m_connectionCount;
                new FakeHttpConnection(m_server, socket, this);
            }
        });
        if (!m_tcp->listen(QHostAddress::LocalHost, port))
            return false;
        *actualPort = m_tcp->serverPort();
        return true;
    }

    // Runs on the server thread: everything it owns is deleted there.
    void shutdown()
    {
        const QObjectList children = this->children();
        for (QObject *child : children)
            delete child;
        m_tcp = nullptr;
    }

private:
    FakeHttpServer *m_server;
    QTcpServer *m_tcp = nullptr;
};

FakeHttpServer::FakeHttpServer()
{
    m_thread.setObjectName(QStringLiteral("FakeHttpServer"));
}

FakeHttpServer::~FakeHttpServer()
{
    stop();
}

bool FakeHttpServer::start(quint16 port)
{
    if (m_worker)
        return true;
    m_worker = new FakeHttpServerWorker(this);
    m_worker->moveToThread(&m_thread);
    m_thread.start();
    bool ok = false;
    quint16 actualPort = 0;
    QMetaObject::invokeMethod(
        m_worker, [&] { ok = m_worker->listen(port, &actualPort); }, Qt::BlockingQueuedConnection);
    if (!ok) {
        stop();
        return false;
    }
    m_port = actualPort;
    return true;
}

void FakeHttpServer::stop()
{
    if (!m_worker)
        return;
    if (m_thread.isRunning()) {
        QMetaObject::invokeMethod(
            m_worker, [this] { m_worker->shutdown(); }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    delete m_worker; // childless now, and its thread has finished
    m_worker = nullptr;
    m_port = 0;
}

QUrl FakeHttpServer::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    return url;
}

QList<QByteArray> FakeHttpServer::requestLog() const
{
    QMutexLocker locker(&m_logMutex);
    QList<QByteArray> targets;
    targets.reserve(m_log.size());
    for (const FakeRequest &request : m_log)
        targets.append(request.rawTarget);
    return targets;
}

QList<FakeRequest> FakeHttpServer::requests() const
{
    QMutexLocker locker(&m_logMutex);
    return m_log;
}

void FakeHttpServer::clearRequestLog()
{
    QMutexLocker locker(&m_logMutex);
    m_log.clear();
}

// Server thread.
FakeResponse FakeHttpServer::dispatch(FakeRequest &request)
{
    request.index = ++m_requestCount;
    if (m_keepLog.load(std::memory_order_relaxed)) {
        QMutexLocker locker(&m_logMutex);
        m_log.append(request);
    }
    FakeResponse response = handle(request);
    if (m_observer)
        m_observer(request, response);
    return response;
}
