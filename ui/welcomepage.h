// The first thing a new catalog shows: what Mako Connect does, "Add your first connection" (the connector
// picker) and "Try it with a local CSV" (a sample file that comes with the app, synced at once). GUI thread.
#pragma once

#include <QWidget>

class QPushButton;

class WelcomePage : public QWidget
{
    Q_OBJECT
public:
    explicit WelcomePage(QWidget *parent = nullptr);
    // Where the sample CSV is written for the files connector to read (the app's data folder).
    static QString samplePath(QString *error);

signals:
    void addConnectionRequested();
    void sampleRequested();
};
