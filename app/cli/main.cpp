#include "cliapp.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace {
// Qt's own warnings ("QIODevice::read: device not open") are for developers, not for the terminal of someone
// syncing: they go only where MAKO_CONNECT_DEBUG asks for them. What people must read, the CLI prints itself.
QtMessageHandler s_defaultHandler = nullptr;
void quietHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    static const bool debug = qEnvironmentVariableIsSet("MAKO_CONNECT_DEBUG");
    static const QRegularExpression qtClass(QStringLiteral("^Q[A-Za-z]+(::[A-Za-z~]+)?( \\([^)]*\\))?: "));
    const bool fromQt =
        QLatin1String(context.category ? context.category : "").startsWith(QLatin1String("qt.")) ||
        qtClass.match(message).hasMatch();
    if (debug || !fromQt || type == QtFatalMsg)
        s_defaultHandler(type, context, message);
}
} // namespace

int main(int argc, char *argv[])
{
    s_defaultHandler = qInstallMessageHandler(quietHandler);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mako-connect"));
    QCoreApplication::setOrganizationName(QStringLiteral("Mako"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MC_VERSION));
    CliApp cli(QCoreApplication::arguments().mid(1));
    return cli.exec();
}
