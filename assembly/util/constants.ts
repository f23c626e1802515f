/** log(2π) */
export const LOG_2PI: f64 = 1.8378770664093453;
