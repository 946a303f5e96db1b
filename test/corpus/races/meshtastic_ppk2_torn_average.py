# Source: meshtastic/python, commit b464e90 "make ppk2 power meter threadsafe"
#   (https://github.com/meshtastic/python/commit/b464e90368f9b6140128256dd279113461d78062)
# Race: the measurement thread adds each batch of samples to a running sum and a sample count holding
#   the measurement Condition; the average is computed from the two without it. A read between the two
#   updates divides a sum that has the new samples by a count that has not: a wrong average.
# threads: the power supply object is read by the caller while its own measurement thread runs.
import threading


class PPK2PowerSupply:
    def __init__(self, meter):
        self.r = meter
        self.measuring = True
        self.want_measurement = threading.Condition()
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
                    self.current_sum += sum(samples)  # race
                    self.current_num_samples += len(samples)  # race

    def get_average_current_mA(self):
        if self.current_num_samples != 0:
            self.current_average = self.current_sum / self.current_num_samples  # race
        return self.current_average / 1000

    def reset_measurements(self):
        with self.want_measurement:
            self.current_sum = 0
            self.current_num_samples = 0
            self.want_measurement.notify()
