/* kiln_machine.h — the roofline's ceilings measured on this machine (kiln_machine.c). */
#ifndef KILN_MACHINE_H
#define KILN_MACHINE_H

/* One core's FMA peak for the target's vector width, GFLOP/s. */
double kiln_measure_peak_gflops(void);
/* A STREAM-like triad's bandwidth, GB/s; 0 when the arrays cannot be allocated. */
double kiln_measure_bandwidth_gbs(void);

#endif
