// A cancel flag shared by a job's controller (any thread) and its workers. Copies share one flag.
#pragma once

#include <atomic>
#include <memory>

class CancelToken
{
public:
    CancelToken()
        : m_flag(std::make_shared<std::atomic<bool>>(false))
    {
    }
    void cancel() const { m_flag->store(true, std::memory_order_release); }
    bool isCancelled() const { return m_flag->load(std::memory_order_acquire); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};
