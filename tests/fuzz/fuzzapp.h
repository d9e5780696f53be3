// The QCoreApplication a fuzz target needs for Qt's networking and file machinery, made once per process.
#pragma once

#include <QCoreApplication>

inline void ensureFuzzApp()
{
    static int argc = 1;
    static char name[] = "fuzz";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
}
