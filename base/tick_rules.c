#include "base/tick_rules.h"

#include "fx/limits.h"

#include <math.h>

int fx_time_valid(int64_t time_us) { return time_us >= FX_TIME_MIN_US && time_us < FX_TIME_END_US; }

int fx_price_valid(double price) { return isfinite(price) && price > 0.0; }
