// Property tests run with a fixed seed, so a submission's CI never turns red because a fresh random seed
// found an old bug elsewhere. FC_SEED=random explores new cases (a failure prints its seed to replay with
// FC_SEED=<seed>); any other FC_SEED value is used as the seed.
import fc from 'fast-check';

const wanted = process.env.FC_SEED;
if (wanted !== 'random') fc.configureGlobal({ seed: wanted ? Number(wanted) : 20_261_129 });
