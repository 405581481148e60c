/** Whether this build can give memory back (glibc). */
export declare const available: boolean;
/** glibc's malloc_trim(0): whether memory went back to the system. */
export declare function trim(): boolean;
