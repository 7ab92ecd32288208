import { createSpokeApp } from './spoke-app.ts';

createSpokeApp().app.synth();
