// A small spinning arc shown while a worker runs a job (test connection, loading). Animation only: the work
// itself is on a worker thread. GUI thread.
#pragma once

#include <QTimer>
#include <QWidget>

class BusyIndicator : public QWidget
{
    Q_OBJECT
public:
    explicit BusyIndicator(QWidget *parent = nullptr);
    void start();
    void stop();
    bool isAnimating() const { return m_timer.isActive(); }
    QSize sizeHint() const override { return {18, 18}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QTimer m_timer;
    int m_angle = 0;
};
