// fake-stripe-server: FakeStripeServer as a process, for the CLI crash test, the benchmark and the README
// demo.
//   fake-stripe-server [--port N] [--seed customers=10000,charges=500] [--latency-ms N] [--api-key K]
//                      [--rate-limit-every N] [--quiet]
// Prints exactly one line "listening on <port>" on stdout once it serves; SIGINT/SIGTERM stop it cleanly.
#include "fakestripeserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSocketNotifier>

#include <cstdio>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace {
int g_signalFds[2] = {-1, -1};

// Async-signal-safe: only writes a byte; the main thread's QSocketNotifier quits the event loop.
void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalFds[0], &byte, 1);
}
} // namespace
#endif

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fake-stripe-server"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("A fake Stripe API on 127.0.0.1 for tests and demos."));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"), QStringLiteral("Port (0 = any free port)."),
                                        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption seedOption(
        QStringLiteral("seed"), QStringLiteral("Records per entity, e.g. customers=10000,charges=500."),
        QStringLiteral("entity=count,..."));
    const QCommandLineOption latencyOption(QStringLiteral("latency-ms"),
                                           QStringLiteral("Delay every response by N ms."),
                                           QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption keyOption(QStringLiteral("api-key"), QStringLiteral("The accepted API key."),
                                       QStringLiteral("K"), QStringLiteral("sk_test_mako"));
    const QCommandLineOption rateOption(QStringLiteral("rate-limit-every"),
                                        QStringLiteral("Answer every Nth list/account request with 429 "
                                                       "(Retry-After: 1)."),
                                        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption quietOption(QStringLiteral("quiet"),
                                         QStringLiteral("Print nothing but the listening line."));
    const QCommandLineOption brokenOption(
        QStringLiteral("broken-page"),
        QStringLiteral("Answer this list page (0-based) with a body that is "
                       "not a list, every time, e.g. charges:30."),
        QStringLiteral("entity:page"));
    parser.addOptions(
        {portOption, seedOption, latencyOption, keyOption, rateOption, quietOption, brokenOption});
    parser.process(app);

    const auto fail = [](const QString &message) {
        std::fprintf(stderr, "fake-stripe-server: %s\n", qPrintable(message));
        return 2;
    };
    bool ok = false;
    const uint port = parser.value(portOption).toUInt(&ok);
    if (!ok || port > 65535)
        return fail(QStringLiteral("--port wants a number from 0 to 65535"));
    const int latencyMs = parser.value(latencyOption).toInt(&ok);
    if (!ok || latencyMs < 0)
        return fail(QStringLiteral("--latency-ms wants a number >= 0"));
    const int rateLimitEvery = parser.value(rateOption).toInt(&ok);
    if (!ok || rateLimitEvery < 0)
        return fail(QStringLiteral("--rate-limit-every wants a number >= 0"));
    const bool quiet = parser.isSet(quietOption);

    FakeStripeServer server;
    server.setKeepLog(false); // a long-running process must not grow with every request
    server.setApiKey(parser.value(keyOption));
    server.setLatencyMs(latencyMs);
    server.setRateLimitEvery(rateLimitEvery, 1);

    const QStringList seeds = parser.value(seedOption).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (const QString &seed : seeds) {
        const QStringList pair = seed.split(QLatin1Char('='));
        const int count = pair.size() == 2 ? pair[1].trimmed().toInt(&ok) : 0;
        const QString entity = pair.value(0).trimmed();
        if (pair.size() != 2 || !ok || count < 0)
            return fail(QStringLiteral("--seed wants entity=count pairs, got \"%1\"").arg(seed));
        if (!FakeStripeServer::entities().contains(entity))
            return fail(QStringLiteral("unknown entity \"%1\" (known: %2)")
                            .arg(entity, FakeStripeServer::entities().join(QLatin1String(", "))));
        QElapsedTimer timer;
        timer.start();
        server.seed(entity, count);
        if (!quiet)
            std::fprintf(stderr, "seeded %d %s in %lld ms\n", count, qPrintable(entity),
                         static_cast<long long>(timer.elapsed()));
    }

    for (const QString &broken : parser.values(brokenOption)) {
        const int page = broken.section(QLatin1Char(':'), 1).toInt(&ok);
        if (!ok || page < 0)
            return fail(QStringLiteral("--broken-page wants entity:page, got \"%1\"").arg(broken));
        server.setMalformedPage(broken.section(QLatin1Char(':'), 0, 0), page,
                                FakeStripeServer::Malformed::MissingData);
    }

    if (!quiet) {
        // Access log on stderr (server thread); stdout carries only the listening line.
        server.setObserver([](const FakeRequest &request, const FakeResponse &response) {
            std::fprintf(stderr, "%s %s -> %s\n", request.method.constData(), request.rawTarget.constData(),
                         response.dropConnection ? "dropped"
                                                 : QByteArray::number(response.status).constData());
        });
    }

#ifdef Q_OS_UNIX
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return fail(QStringLiteral("socketpair failed"));
    QSocketNotifier signalNotifier(g_signalFds[1], QSocketNotifier::Read);
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &app, [&] {
        char byte;
        [[maybe_unused]] const ssize_t n = ::read(g_signalFds[1], &byte, 1);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
#endif

    if (!server.start(quint16(port)))
        return fail(QStringLiteral("cannot listen on 127.0.0.1:%1").arg(port));
    std::fprintf(stdout, "listening on %u\n", unsigned(server.port()));
    std::fflush(stdout);
    if (!quiet)
        std::fprintf(stderr, "serving %s\n", qPrintable(server.baseUrl().toString()));

    const int code = QCoreApplication::exec();
    server.stop();
    if (!quiet)
        std::fprintf(stderr, "stopped after %d requests\n", server.requestCount());
    return code;
}
