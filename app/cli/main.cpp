#include "cliapp.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mako-connect"));
    QCoreApplication::setOrganizationName(QStringLiteral("Mako"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MC_VERSION));
    CliApp cli(QCoreApplication::arguments().mid(1));
    return cli.exec();
}
