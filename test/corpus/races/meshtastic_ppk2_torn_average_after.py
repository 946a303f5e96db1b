# Source: meshtastic/python, commit b464e90 "make ppk2 power meter threadsafe"
#   (https://github.com/meshtastic/python/commit/b464e90368f9b6140128256dd279113461d78062)
# Fixed: the sum and the count are updated under a result lock, and the average is computed holding it.
import threading


class PPK2PowerSupply:
    def __init__(self, meter):
        self.r = meter
        self.measuring = True
        self.want_measurement = threading.Condition()
        self.result_lock = threading.Condition()
        self.current_sum = 0
        self.current_num_samples = 0
        self.current_average = 0
        self.measurement_thread = threading.Thread(target=self.measurement_loop, daemon=True)
        self.measurement_thread.start()

    def measurement_loop(self):
        while self.measuring:
            with self.want_measurement:
                self.want_measurement.wait(0.001)
                samples = self.r.get_samples()
                if len(samples) > 0:
                    latest_sum = sum(samples)
                    with self.result_lock:
                        self.current_sum += latest_sum  # fixed
                        self.current_num_samples += len(samples)  # fixed

    def get_average_current_mA(self):
        with self.result_lock:
            if self.current_num_samples != 0:
                self.current_average = self.current_sum / self.current_num_samples  # fixed
            return self.current_average / 1000

    def reset_measurements(self):
        with self.want_measurement:
            with self.result_lock:
                self.current_sum = 0
                self.current_num_samples = 0
            self.want_measurement.notify()
